"""Package data: the report's Jinja2 templates and stylesheet, installed as ``audit.report.templates``
(see pyproject.toml) so a wheel finds them through ``importlib.resources``. Nothing to import here."""
