"""Layer 1, input: bytes to text (``decoding``), text to records (``records``), a tool's columns to
the normalised schema (``mapping``, ``schema``), and ``ingest``: every row accepted or quarantined with a
reason. ``redact`` holds the personal-data masks every later layer shares."""
