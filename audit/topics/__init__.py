"""What customers write about: topics discovered in customer posts, routed to the team that owns
them, with emerging issues flagged.

Why: the audit knows whether a post is a complaint, not what it is about; a playbook that names
"delivery tracking -> logistics" or "a spike about app login started the week of 12 March" is
one the organisation can act on. Topics are fitted on the client's own customer posts only:
sentence embeddings, k-means with the number of topics taken from the data (``discover``),
posts of another language kept apart (``language``), and labels from class-based TF-IDF keywords
with representative posts. Every step is a pure function of its inputs, so the
same posts give the same topics.

Modules, one job each: ``discover`` (embeddings -> topic per post), ``language`` (posts not in
English), ``keywords`` (c-TF-IDF labels
and representative posts), ``embeddings`` (the bundled encoder, offline), ``figures`` (per-topic
volume, complaints, sentiment, responses, weekly trend), ``emerging`` (the spike rule),
``routing`` (owner per topic from ``audit/topics/topic_owners.yaml``), ``model`` (the whole chain for
a run or the ``social-audit topics`` command).
"""
from __future__ import annotations

from audit.topics.discover import OUTLIER, Clustering, discover
from audit.topics.keywords import TopicWords, describe_topics

__all__ = ["OUTLIER", "Clustering", "discover", "TopicWords", "describe_topics"]
