"""The ``hypecheck`` subcommands, one module per command group.

Each module declares its commands' options next to their bodies; the bodies
call library functions.  :mod:`hypecheck.cli` holds the root group and its
global options, registers these commands and maps errors to exit statuses.
"""
