"""Topic coherence on real customer posts (``../shared/real/``, read in place): the 2,718 TWCS
customer posts are clustered and compared with 130 hand-labelled ones
(``tests/fixtures/topic_labels_twcs.csv``; rules and figures in the README). The floors sit below
the measured figures (homogeneity 0.64, coverage 0.48) and far above what an encoder that groups
by mood gives (the sentiment encoder: 0.07), so a change of encoder or settings that breaks the
topics fails here."""
from __future__ import annotations


import pytest

from audit.evaluation import topics as evaluate
from audit.common.realdata import real_dir

REAL = real_dir()


@pytest.mark.slow
def test_topics_agree_with_hand_labels_on_real_posts():
    if not (REAL / "twcs_random5000.csv").exists():
        pytest.fail(f"real data missing: {REAL} must sit beside the project (see ../shared/real/README.md)")
    measured = evaluate.twcs(real=REAL)
    assert measured["n"] == 108 and measured["posts_clustered"] == 2718
    assert measured["homogeneity"] >= 0.55 and measured["adjusted_rand"] >= 0.5
    assert measured["coverage"] >= 0.4
