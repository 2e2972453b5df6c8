"""``python -m hypecheck``: the command line, as the ``hypecheck`` script runs it."""

from .cli import main

if __name__ == "__main__":  # not when a spawned worker process imports the module
    main()
