"""Topic coherence on real customer posts (``../shared/real/``, read in place).

* Two sectors hand-tagged by subject (``tests/fixtures/topic_labels_sectors.csv``, rules beside
  it): each sector's posts clustered as one client's, its setting chosen on the other sector.
  Measured: airlines NMI 0.37, homogeneity 0.42, 90% placed, 19 topics; telecoms NMI 0.44,
  homogeneity 0.45, 89% placed. The floors sit a little under those, far above what the old
  density clusterer gave (NMI 0.09 on airline posts), so a change of encoder or settings that
  blurs the subjects fails here. The issue's target, NMI 0.40 on a held-out sector, is missed on
  airlines by about 0.03.
* The 2,718 TWCS customer posts of all brands, against 130 posts labelled with a broad subject.
"""
from __future__ import annotations

import pytest

from audit.common.realdata import real_dir
from audit.evaluation import topics as evaluate

REAL = real_dir()


def _need_real_data():
    if not (REAL / "twcs_random5000.csv").exists():
        pytest.fail(f"real data missing: {REAL} must sit beside the project (see ../shared/real/README.md)")


@pytest.mark.slow
def test_topics_follow_the_distinctions_people_tag_by_in_two_sectors():
    _need_real_data()
    measured = evaluate.sectors(real=REAL)
    floors = {"airlines": (0.33, 0.37), "telecoms": (0.38, 0.40)}
    for sector, (nmi, homogeneity) in floors.items():
        m = measured[sector]
        assert m["nmi"] >= nmi and m["homogeneity"] >= homogeneity, (sector, m)
        assert m["placed_share"] >= 0.85 and m["topics"] <= 30, (sector, m)


@pytest.mark.slow
def test_topics_agree_with_hand_labels_on_real_posts():
    _need_real_data()
    measured = evaluate.twcs(real=REAL)
    assert measured["n"] == 108 and measured["posts_clustered"] == 2718
    assert measured["homogeneity"] >= 0.55
    assert measured["coverage"] >= 0.85
