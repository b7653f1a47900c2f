"""Layer 6, grading: the maturity rubric (kept as data in ``rubrics/``), the interview questionnaire,
and the grade with its evidence and confidence (``maturity``)."""
