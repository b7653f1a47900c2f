"""Apart from a run: the synthetic sample clients behind ``make demo`` and the tests (``sample``)."""
