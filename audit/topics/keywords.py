"""Readable topic labels: class-based TF-IDF keywords (BERTopic's c-TF-IDF) and the posts
closest to each topic's centre.

c-TF-IDF treats all posts of a topic as one document: a term's weight in topic c is its
frequency in c (normalised by c's word count) times ``log(1 + A / f_t)``, where A is the average
number of words per topic and f_t the term's frequency over all topics. Words every topic uses
("help", "please") sink; words one topic uses a lot rise. The label is the top three terms, a
bigram replacing the words it contains, so "flight delayed" reads as one phrase.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from audit.textmodel.normalize import normalize_text
from audit.topics.discover import OUTLIER

#: Words of social customer care that say nothing about the subject of a post.
CARE_STOP_WORDS = frozenset("""
user http https amp hi hello hey thanks thank thx pls plz please dm dms help helped helping just
im ive dont cant wont didnt doesnt isnt youre thats got get getting gonna wanna know like really
today yesterday tomorrow ok okay yes yeah lol guys team hope let sure did does doing going trying
tried want need new good great time day days week hours hour still way will would could should
havent hasnt happening fine actually ago guess
""".split())
_TOKEN = r"(?u)\b[^\W\d_][^\W\d_']+\b"  # words of 2+ letters: no numbers, no masks' digits
_APOSTROPHE = re.compile(r"[’']")

#: The commonest function words of the other languages seen in care exports (Spanish, Portuguese,
#: French, Italian, German, Dutch, Malay/Indonesian): labels carry no stop word in any language.
OTHER_STOP_WORDS = frozenset("""
que de la el en los las del por para con una uno es se lo mi su al como mas pero ya muy esta este
eso hay ser son fue gracias hola favor tengo tiene nao um uma os ao na no em mais sim obrigado
le les des du et est pas pour dans sur avec une il elle vous nous je merci bonjour ce qui
il di che non per una sono della grazie ciao der die das und ist nicht ein eine ich sie mit auf
den dem danke het een van niet ik je dat voor op ik yang dan di ke ini itu saya tidak ada untuk
dengan la nak tak kau ni aku
""".split())



@dataclass(frozen=True)
class TopicWords:
    """Per topic (index = topic id): ``label``, ``keywords`` (top terms, best first) with their
    c-TF-IDF ``weights``, and ``representatives`` (row numbers of the posts nearest its centre)."""

    label: list[str]
    keywords: list[list[str]]
    weights: list[list[float]]
    representatives: list[list[int]]


def _clean(text: str) -> str:
    return _APOSTROPHE.sub("", normalize_text(text).lower())


def ctfidf(texts: Sequence[str], labels: np.ndarray, n_topics: int, top_n: int = 10,
           max_docs: int = 30_000, seed: int = 0) -> tuple[list[list[str]], list[list[float]]]:
    """Top ``top_n`` terms and weights per topic. Counts at most ``max_docs`` posts (a fixed-seed
    sample; ample for keywords, and it keeps 100k+ posts to seconds)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    rows = np.flatnonzero(labels != OUTLIER)
    if len(rows) > max_docs:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_docs, replace=False))
    if n_topics == 0 or len(rows) == 0:
        return [[] for _ in range(n_topics)], [[] for _ in range(n_topics)]
    vectorizer = CountVectorizer(preprocessor=_clean, token_pattern=_TOKEN, ngram_range=(1, 2),
                                 stop_words=sorted(ENGLISH_STOP_WORDS | CARE_STOP_WORDS | OTHER_STOP_WORDS),
                                 min_df=min(2, len(rows)), dtype=np.float64)
    try:
        counts = vectorizer.fit_transform([texts[i] for i in rows])
    except ValueError:  # no term survives (posts of emoji or numbers only)
        return [[] for _ in range(n_topics)], [[] for _ in range(n_topics)]
    from scipy import sparse

    onehot = sparse.csr_matrix((np.ones(len(rows)), (labels[rows], np.arange(len(rows)))), shape=(n_topics, len(rows)))
    per_topic = np.asarray((onehot @ counts).todense())              # (topics, terms)
    tf = per_topic / np.clip(per_topic.sum(axis=1, keepdims=True), 1, None)
    avg_words = per_topic.sum() / n_topics
    idf = np.log1p(avg_words / np.clip(per_topic.sum(axis=0), 1, None))
    weights = tf * idf
    terms = vectorizer.get_feature_names_out()
    keywords, scores = [], []
    for t in range(n_topics):
        order = np.lexsort((terms, -weights[t]))[:top_n]  # ties broken alphabetically: deterministic
        order = [j for j in order if weights[t, j] > 0]
        keywords.append([str(terms[j]) for j in order])
        scores.append([round(float(weights[t, j]), 6) for j in order])
    return keywords, scores


def label_from(keywords: Sequence[str], n_terms: int = 3) -> str:
    """"Flight delayed, gate" from ["flight", "delayed", "flight delayed", "gate", ...]: a
    bigram absorbs the single words it contains; a term repeating a word already used is
    skipped; at most ``n_terms`` terms."""
    chosen: list[str] = []
    for term in keywords:
        words = set(term.split())
        overlapping = [c for c in chosen if words & set(c.split())]
        if overlapping and (len(words) == 1 or any(len(c.split()) > 1 for c in overlapping)):
            continue
        chosen = [c for c in chosen if c not in overlapping] + [term]
        if len(chosen) == n_terms:
            break
    label = ", ".join(chosen)
    return label[:1].upper() + label[1:] if label else "Unlabelled"


def distinct_labels(labels: Sequence[str], keywords: Sequence[Sequence[str]]) -> list[str]:
    """Topics sharing a label get their next keyword not yet in it ("Sent" -> "Sent: tracking"),
    else a number, so no two topics read the same."""
    out: list[str] = []
    base_count: dict[str, int] = {}
    for label, words in zip(labels, keywords):
        base_count[label] = base_count.get(label, 0) + 1
        if label in out:
            extra = next((w for w in words if w not in label.lower() and f"{label}: {w}" not in out), None)
            label = f"{label}: {extra}" if extra else f"{label} ({base_count[label]})"
        out.append(label)
    return out


def representatives(reduced: np.ndarray, labels: np.ndarray, centroids: np.ndarray, k: int = 3) -> list[list[int]]:
    """Row numbers of the ``k`` posts nearest each topic's centre (ties by row number)."""
    out = []
    for t in range(len(centroids)):
        rows = np.flatnonzero(labels == t)
        sims = reduced[rows] @ centroids[t]
        out.append([int(r) for r in rows[np.lexsort((rows, -sims))[:k]]])
    return out


def describe_topics(texts: Sequence[str], labels: np.ndarray, reduced: np.ndarray, centroids: np.ndarray,
                    top_n: int = 10) -> TopicWords:
    """Labels, keywords and representative posts of every topic."""
    keywords, weights = ctfidf(texts, labels, len(centroids), top_n=top_n)
    return TopicWords(distinct_labels([label_from(k) for k in keywords], keywords), keywords, weights,
                      representatives(reduced, labels, centroids))
