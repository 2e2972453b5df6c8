"""Renderers: every way a Report is shown to a person."""
