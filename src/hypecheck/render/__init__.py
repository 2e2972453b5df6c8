"""Every rendering of a :class:`~hypecheck.report.Report`, one module per format.

``text`` (the terminal, linter-like), ``sarif`` (code-scanning tools), ``markdown``
and ``html`` (reports to hand on) and ``view`` (the web page's view model); the
JSON form is ``Report.to_dict()`` itself (``schemas/report.schema.json``).
"""
