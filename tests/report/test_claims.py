"""A causal-sounding finding carries its interval and n, and is made only where intervals separate."""
from __future__ import annotations

from audit.report.playbook.current_state import reply_effect


def _group(negative_posts: int, posts: int) -> dict:
    return {"negative": negative_posts / posts, "negative_posts": negative_posts, "posts": posts}


def test_fewer_negative_posts_after_a_reply_is_said_with_interval_and_n():
    text = reply_effect(_group(50, 100), _group(10, 100))
    assert text.startswith("Customers write less negatively once answered")
    assert "n=100 posts" in text and "95%:" in text and "not proof" in text
    assert "Replying works" not in text


def test_no_claim_from_23_follow_up_posts_whose_intervals_overlap():
    text = reply_effect(_group(12, 40), _group(4, 23))     # 30% (18%-45%) against 17% (7%-37%)
    assert text.startswith("No difference can be shown yet") and "n=23 posts" in text
