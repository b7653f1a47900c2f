"""Apart from a run: reproducible training of the bundled model (``make model``): the sentiment
encoder (``sentiment``), the triage heads (``heads``), their data, measures and model card."""
