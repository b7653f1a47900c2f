"""Layer 8, running an audit: what a run is (``config``: every parameter, the stages), the stage
functions (``stages``), their execution as papermill notebooks (``pipeline``; ``notebooks`` =
``notebooks/``), the run's own notebook copies and JupyterLab, and the ``social-audit`` command (``cli``)."""
