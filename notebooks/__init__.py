"""Package data: the stage notebook templates, installed as ``audit.run.notebooks`` (see pyproject.toml)
so a wheel finds them through ``importlib.resources``. Nothing to import here."""
