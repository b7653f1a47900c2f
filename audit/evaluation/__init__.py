"""Apart from a run: measuring the heuristics and models on labelled real data (voice, triage, topics,
the exemplar intent baseline). Nothing a run imports lives here."""
