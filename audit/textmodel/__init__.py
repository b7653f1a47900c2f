"""The bundled text model: one MiniLM encoder pass gives sentiment, triage and embeddings.

* :mod:`audit.textmodel.encoder` - load the bundled encoder, pool its layers, ``embed(texts)``.
* :mod:`audit.textmodel.heads` - the triage heads (question, complaint, compliment) and the rule
  that turns their probabilities into one primary intent.
* :mod:`audit.textmodel.train` - reproducible training of the heads (``make model``).
"""
from audit.textmodel.encoder import embed
from audit.textmodel.heads import TRIAGE, TRIAGE_COLUMNS, primary_intent

__all__ = ["TRIAGE", "TRIAGE_COLUMNS", "embed", "primary_intent"]
