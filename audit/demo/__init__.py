"""Apart from a run: the synthetic sample clients behind ``make demo`` and the tests (``sample``:
``generate`` and its command line, from ``profiles``, ``textbank``, ``plans``, ``timing``, ``posts``
and ``twcs``)."""
