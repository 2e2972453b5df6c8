"""spaCy pipeline components of hypecheck, one module each."""
