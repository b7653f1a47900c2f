"""Layer 1, input: text to records (``records``), any file format to
an all-string table (``tables``, over ``formats`` and one reader per format), a tool's columns to the
normalised schema (``mapping``, ``schema``, ``fields``, ``timestamps``), and ``ingest``: every row
accepted or quarantined with a reason (``normalise``, ``quarantine``). ``redact`` holds the
personal-data masks every later layer shares."""
