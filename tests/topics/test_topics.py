"""Topic discovery: determinism, labels, the spike rule, owner routing, per-topic figures, the
``social-audit topics`` command and its formula safety."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.topics import emerging, routing
from audit.topics.discover import OUTLIER
from audit.topics.keywords import label_from
from audit.topics.model import fit

SUBJECTS = {
    "delivery": "my parcel delivery is late again, the courier never delivered the parcel",
    "billing": "I was charged twice, please refund the double charge on my card",
    "login": "cannot login to the app, password reset link error every time",
}


def _blobs(n_per: int = 120, dims: int = 32, seed: int = 3):
    """Three well-separated groups of unit vectors with matching texts, plus scattered noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dims)) * 4
    vectors, texts, truth = [], [], []
    for k, (name, text) in enumerate(SUBJECTS.items()):
        vectors.append(centres[k] + rng.normal(scale=0.6, size=(n_per, dims)))
        texts += [f"{text} {i}" for i in range(n_per)]
        truth += [k] * n_per
    vectors.append(rng.normal(scale=4, size=(6, dims)))
    texts += [f"random chatter number {i}" for i in range(6)]
    truth += [-1] * 6
    x = np.vstack(vectors)
    return x / np.linalg.norm(x, axis=1, keepdims=True), texts, np.array(truth)


def test_discovers_the_groups_and_is_deterministic():
    from sklearn.metrics import adjusted_rand_score

    x, texts, truth = _blobs()
    a, b = fit(texts, x), fit(texts, x.copy())
    assert np.array_equal(a.labels, b.labels) and a.topics == b.topics
    grouped = truth >= 0
    assert len(a.topics) == 3
    placed = grouped & (a.labels != OUTLIER)
    assert adjusted_rand_score(truth[placed], a.labels[placed]) > 0.95
    assert (a.labels[grouped] != OUTLIER).mean() >= 0.85  # "other" is kept small
    sizes = [t["posts"] for t in a.topics]
    assert sizes == sorted(sizes, reverse=True)  # topic 0 is the largest


def test_labels_name_each_subject_by_its_own_words():
    x, texts, truth = _blobs()
    model = fit(texts, x)
    for t in model.topics:
        members = truth[model.labels == t["topic"]]
        subject = list(SUBJECTS)[np.bincount(members[members >= 0]).argmax()]
        distinctive = {"delivery": {"parcel", "courier", "delivered", "delivery"},
                       "billing": {"charge", "charged", "refund", "card", "double"},
                       "login": {"login", "password", "app", "error", "reset"}}[subject]
        assert set(t["label"].lower().replace(",", " ").split()) & distinctive, t["label"]
        assert all(r in np.flatnonzero(model.labels == t["topic"]) for r in t["representatives"])


def test_too_few_posts_give_no_topics_rather_than_noise():
    x, texts, _ = _blobs(n_per=3)
    model = fit(texts[:12], x[:12])
    assert model.topics == [] and (model.labels == OUTLIER).all()


def test_fit_on_a_sample_assigns_the_rest_by_centroid():
    x, texts, truth = _blobs(n_per=200)
    model = fit(texts, x, fit_max=300, min_size=20)
    assert model.fitted_on == 300
    from sklearn.metrics import adjusted_rand_score
    joined = (truth >= 0) & (model.labels != OUTLIER)
    assert joined.sum() > 0.9 * (truth >= 0).sum()
    assert adjusted_rand_score(truth[joined], model.labels[joined]) > 0.95


def test_label_prefers_a_bigram_over_its_words():
    assert label_from(["flight", "delayed", "flight delayed", "gate"]) == "Flight delayed, gate"
    assert label_from(["refund", "card", "charged", "store"]) == "Refund, card, charged"
    assert label_from(["fix", "ending fix", "reference", "reference account", "ending", "account ending", "card"]) \
        == "Ending fix, reference account, card"
    assert label_from([]) == "Unlabelled"


def test_no_two_topics_share_a_label():
    from audit.topics.keywords import distinct_labels

    assert distinct_labels(["Sent", "Sent", "Sent", "Refund"], [["sent", "tracking"], ["sent", "tracking"], ["sent"], ["refund"]]) \
        == ["Sent", "Sent: tracking", "Sent (3)", "Refund"]


# ---- the spike rule --------------------------------------------------------------------------

def _weekly(counts: dict[int, list[int]]) -> pd.DataFrame:
    weeks = pd.date_range("2024-01-01", periods=len(next(iter(counts.values()))), freq="7D")
    return pd.DataFrame(counts, index=weeks)


def test_spike_needs_twice_the_baseline_and_a_floor_of_posts():
    rule = emerging.SpikeRule(baseline_weeks=4, factor=2.0, min_posts=10)
    weekly = _weekly({0: [5, 5, 5, 5, 5, 10, 5],      # exactly 2x and 10 posts: spike
                      1: [5, 5, 5, 5, 5, 9, 5],       # 9 < 10 posts and < 2x: no
                      2: [2, 2, 2, 2, 2, 9, 2],       # 4.5x but under the floor: no
                      3: [20, 20, 20, 20, 20, 39, 20]})  # 1.95x: no
    fired = emerging.spikes(weekly, rule)
    assert fired[0].tolist() == [False] * 5 + [True, False]
    assert not fired[[1, 2, 3]].to_numpy().any()


def test_first_weeks_are_never_judged_and_a_new_topic_can_spike():
    weekly = _weekly({0: [30, 0, 0, 0, 0, 0, 12]})
    fired = emerging.spikes(weekly)
    assert not fired[0].iloc[:4].any()  # 30 in week 1 has no baseline
    assert fired[0].iloc[6]             # from a baseline of 0, 12 posts is a spike


def test_episode_reports_the_week_it_started():
    # week 8 (15 posts) is judged against a median that already holds the burst (8): not a spike
    weekly = _weekly({7: [3, 4, 3, 4, 3, 12, 20, 15, 3, 3, 30]})
    found = emerging.episodes(weekly)
    assert [(e["started"], e["weeks"], e["peak_week"], e["peak_posts"], e["ongoing"]) for e in found] == [
        ("2024-02-05", 2, "2024-02-12", 20, False),
        ("2024-03-11", 1, "2024-03-11", 30, True),
    ]
    assert found[0]["baseline_posts_per_week"] == 3.5 and found[0]["ratio"] == pytest.approx(12 / 3.5)


def test_weekly_counts_fill_empty_weeks_in_the_client_time_zone():
    # Sunday 23:30 UTC is already Monday in Berlin: the post moves to the next week there
    at = pd.Series(pd.to_datetime(["2024-01-07 23:30", "2024-01-22 10:00"], utc=True))
    utc = emerging.weekly_counts(at, pd.Series([0, 0]), "UTC")
    berlin = emerging.weekly_counts(at, pd.Series([0, 0]), "Europe/Berlin")
    assert utc[0].tolist() == [1, 0, 0, 1] and utc.index[0] == pd.Timestamp("2024-01-01")
    assert berlin[0].tolist() == [1, 0, 1] and berlin.index[0] == pd.Timestamp("2024-01-08")


# ---- owner routing ---------------------------------------------------------------------------

def test_topics_go_to_the_team_whose_words_their_posts_use():
    texts = (["where is my parcel, tracking says delivered"] * 4 + ["hello there"] * 1
             + ["refund me, you charged me twice"] * 3 + ["nice weather"] * 2
             + ["the weather is nice"] * 5)
    labels = np.array([0] * 5 + [1] * 5 + [2] * 5)
    routes = routing.route(texts, labels, 3)
    assert routes[0]["owner"] == "Logistics" and routes[0]["owner_share"] == pytest.approx(0.8)
    assert routes[1]["owner"] == "Billing"
    assert routes[2]["owner"] == "Customer service" and routes[2]["owner_share"] is None  # no evidence: default


def test_keywords_match_whole_words_and_prefixes_only(tmp_path):
    path = tmp_path / "owners.yaml"
    path.write_text("default_owner: Service\nmin_share: 0.5\nowners:\n  Tech: [app, log in]\n  Logistics: ['deliver*']\n")
    owners = routing.load_owners(path)
    texts = ["I appreciate it", "my apple", "the app", "cannot log   in", "delivery late", "undelivered"]
    routes = routing.route(texts, np.arange(6), 6, owners)
    assert [r["owner"] for r in routes] == ["Service", "Service", "Tech", "Tech", "Logistics", "Service"]


@pytest.mark.parametrize("body, message", [
    ("owners: []\n", "non-empty 'owners'"),
    ("default_owner: S\nowners:\n  Tech: app\n", "non-empty list of keywords"),
    ("default_owner: S\nmin_share: 2\nowners:\n  Tech: [app]\n", "'min_share' must be a number"),
    ("default_owner: S\nowners:\n  Tech: ['(app']\n", "must be a word or phrase"),
    ("default_owner: S\nownr: 1\nowners:\n  Tech: [app]\n", "unknown key"),
    ("owners: [unclosed\n", "Cannot read"),
])
def test_a_bad_owners_file_fails_with_a_clear_message(tmp_path, body, message):
    path = tmp_path / "owners.yaml"
    path.write_text(body)
    with pytest.raises(AuditInputError, match=message):
        routing.load_owners(path)


def test_the_shipped_owners_file_is_valid():
    owners = routing.load_owners()
    assert owners.default_owner in owners.teams and len(owners.teams) >= 5


# ---- per-topic figures -----------------------------------------------------------------------

def test_report_figures_per_topic():
    from audit.topics.stage import report

    t0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")
    rows = []
    for i in range(6):  # six customer posts to Acme; posts 0-2 answered after 10, 20, 30 minutes
        rows.append({"message_id": f"c{i}", "reply_to_id": None, "author": f"u{i}", "is_customer": True,
                     "created_at": t0 + pd.Timedelta(days=i), "text": f"parcel {i} not delivered call 0123456789",
                     "brand": "Acme", "intent": "complaint" if i < 3 else "question",
                     "sentiment": "negative" if i < 2 else "neutral"})
    for i in range(3):
        rows.append({"message_id": f"b{i}", "reply_to_id": f"c{i}", "author": "Acme", "is_customer": False,
                     "created_at": t0 + pd.Timedelta(days=i, minutes=10 * (i + 1)), "text": "sorry", "brand": "Acme",
                     "intent": None, "sentiment": "neutral"})
    rows.append({"message_id": "p0", "reply_to_id": None, "author": "u9", "is_customer": True, "created_at": t0,
                 "text": "peer post", "brand": "Other", "intent": "complaint", "sentiment": "negative"})
    messages = pd.DataFrame(rows)
    posts = pd.DataFrame({"message_id": [f"c{i}" for i in range(6)] + ["p0"], "topic": [0] * 6 + [0]})
    description = {"fitted_on": 7, "topics": [{"topic": 0, "label": "Parcel, delivered", "keywords": ["parcel"],
                                               "representative_ids": ["c0"]}]}
    result = report(messages, posts, description, ["Acme"])
    topic = result["topics"][0]
    assert result["posts"] == 6  # the peer's customer is not the client's
    assert topic["posts"] == 6 and topic["complaint_share"] == 0.5 and topic["negative_share"] == pytest.approx(2 / 6)
    assert topic["response_rate"] == 0.5 and topic["first_response_median_s"] == 1200
    assert topic["owner"] == "Logistics" and topic["complaints_and_questions"] == 6
    assert topic["examples"] == ["parcel 0 not delivered call [number]"]  # masked
    assert sum(topic["weekly"].values()) == 6


# ---- the command -----------------------------------------------------------------------------

def test_topics_command_writes_one_row_per_post_formula_safe(tmp_path):
    from audit.run.cli import main

    subjects = ["my parcel was not delivered, where is the courier", "charged twice on my card, need a refund",
                "the app crashes at login since the update"]
    texts = [f"{s} (case {i})" for s in subjects for i in range(15)] + ["=HYPERLINK(\"http://x\",\"y\")", "+1 ok"]
    src, out = tmp_path / "posts.csv", tmp_path / "topics.csv"
    pd.DataFrame({"id": range(len(texts)), "body": texts}).to_csv(src, index=False)
    assert main(["topics", "--data", str(src), "--text-column", "body", "--out", str(out), "--device", "cpu"]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(table) == len(texts) and {"topic", "topic_label"} <= set(table.columns)
    assert table["topic"].astype(int).max() >= 1  # more than one topic among three subjects
    assert table["body"].iloc[-2].startswith("'=") and table["body"].iloc[-1].startswith("'+")
    assert not table["topic_label"].str.match(r"[=+\-@]").any()
    assert main(["topics", "--data", str(src), "--text-column", "nope", "--out", str(out)]) == 2


# ---- the playbook section --------------------------------------------------------------------

def test_playbook_names_topics_owners_and_emerging_issues():
    import re

    from audit import grading as maturity
    from audit.metrics import registry as metrics
    from audit.report import playbook
    from audit.report.render import render_html
    from audit.topics.stage import report
    from tests.helpers.playbooks import CLIENTS, pipeline

    messages, conversations, accounting = pipeline()
    customer = messages.loc[messages["is_customer"], ["message_id", "text"]]
    # a stand-in for the clustering (tested above): posts with delivery words are topic 0, others 1
    parcel = customer["text"].str.contains(r"deliver|parcel|order", case=False, regex=True)
    posts = pd.DataFrame({"message_id": customer["message_id"], "topic": np.where(parcel, 0, 1)})
    described = {"fitted_on": len(posts), "topics": [
        {"topic": 0, "label": "Order, delivery", "keywords": ["order"], "representative_ids": list(customer["message_id"][parcel][:2])},
        {"topic": 1, "label": "<script>alert(1)</script>", "keywords": ["x"], "representative_ids": list(customer["message_id"][~parcel][:2])}]}
    topics = report(messages, posts, described, CLIENTS["Acme"])
    figures = metrics.compute_all(messages, conversations, CLIENTS["Acme"])
    book = playbook.build(figures, maturity.grade(figures), messages, conversations, client="Acme",
                          brands=CLIENTS["Acme"], accounting=accounting, topics=topics)
    section = book["topics"]
    assert [r["label"] for r in section["table"]["rows"]] == [t["label"] for t in topics["topics"]]
    assert {r["owner"] for r in section["table"]["rows"]} <= set(routing.load_owners().teams)
    assert any("Order, delivery" in rule for rule in book["triage"]["rules"])
    assert any("Order, delivery" in a["action"] for a in book["roadmap"]["phases"][-1]["actions"]["rows"])
    assert section["emerging"] or section["no_emerging"].startswith("No topic spiked")
    html = render_html(book)
    assert "What customers write about" in html and "<script>alert(1)" not in html
    from audit.run import views  # the analysis notebook's table and chart
    assert views.topics_table(topics)["topic"].tolist() == [t["label"] for t in topics["topics"]]
    assert views.topics_chart(topics).startswith("<svg") and views.topics_chart(None).startswith("<svg")
    assert len(views.emerging_table(topics)) == len(topics["emerging"])
    assert not re.search(r"@(?!\[customer\])\w*\d{3,}", " ".join(r["example"] for r in section["table"]["rows"]))


def test_playbook_without_topics_leaves_the_chapter_out():
    """No topics: no empty chapter; the chapters are numbered without a gap and the summary's
    references point at the numbers printed (the reason stays in the book for the run log)."""
    from audit.report.render import render_html
    from tests.helpers.playbooks import demo

    book = demo("Northwind Home")[0]
    assert "could not be discovered" in book["topics"]["lead"]
    html = render_html(book)
    assert "What customers write about" not in html and "could not be discovered" not in html
    assert [e["number"] for e in book["toc"]] == list(range(1, len(book["toc"]) + 1))
    numbers = {e["id"]: e["number"] for e in book["toc"]}
    text = " ".join(book["executive_summary"]["summary"])
    if "roadmap in section" in text:
        assert f"roadmap in section {numbers['roadmap']}" in text


def test_embeddings_are_cached_beside_the_scores(tmp_path, monkeypatch):
    """A second scoring of the same posts embeds nothing (and identical posts are embedded once)."""
    from audit.textmodel import sentence_embedder as intent
    from audit.topics.embeddings import embed

    real, calls = intent.embed, []

    def counting(texts, **kw):
        calls.append(len(texts))
        return real(texts, **kw)

    monkeypatch.setattr(intent, "embed", counting)
    texts = ["@AcmeHelp my parcel is late", "@AcmeHelp my parcel is late", "@AcmeHelp how do I reset my password?"]
    cache = tmp_path / "cache.sqlite"
    first = embed(texts, device="cpu", cache=cache)
    second = embed(texts, device="cpu", cache=cache)
    assert calls == [2]                                   # two unique texts, once, then nothing
    assert first.shape == second.shape == (3, first.shape[1]) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, embed(texts, device="cpu", cache=False), atol=1e-5)


def _multi_brand_posts():
    """Customer posts of the client (AcmeHelp) and of a peer (OtherCo) in one export."""
    x, texts, truth = _blobs(n_per=40)
    brand = np.where(np.arange(len(texts)) % 2 == 0, "AcmeHelp", "OtherCo")
    posts = pd.DataFrame({"message_id": [f"m{i}" for i in range(len(texts))], "text": texts, "brand": brand})
    return posts, x


def test_topics_are_fitted_on_the_client_posts_only(tmp_path, monkeypatch):
    from audit.topics import embeddings, stage

    posts, x = _multi_brand_posts()
    vectors = dict(zip(posts["text"], x))
    monkeypatch.setattr(embeddings, "embed", lambda texts, **_: np.stack([vectors[t] for t in texts]))
    description = stage.write_assignments(tmp_path, posts, brands=["@acmehelp"])
    assigned = pd.read_parquet(tmp_path / "topic_posts.parquet")
    peers = set(posts.loc[posts["brand"] == "OtherCo", "message_id"])
    assert len(assigned) == (posts["brand"] == "AcmeHelp").sum() and not peers & set(assigned["message_id"])
    examples = {i for t in description["topics"] for i in t["representative_ids"]}
    assert examples and not examples & peers
    assert description["posts"] == len(assigned)


def test_every_post_is_placed_or_in_a_small_stated_other():
    x, texts, _ = _blobs()
    model = fit(texts, x)
    assert (model.labels >= 0).mean() >= 0.85
    assert set(np.unique(model.labels)) <= set(range(len(model.topics))) | {OUTLIER}


def test_labels_carry_no_stop_word_and_other_languages_are_kept_apart():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from audit.topics.keywords import CARE_STOP_WORDS, OTHER_STOP_WORDS
    from audit.topics.model import OTHER_LANGUAGE

    x, texts, truth = _blobs()
    spanish = [f"hola, mi pedido no llega y nadie me responde por favor {i}" for i in range(30)]
    rng = np.random.default_rng(5)
    far = rng.normal(size=(30, x.shape[1]))
    x = np.vstack([x, far / np.linalg.norm(far, axis=1, keepdims=True)])
    model = fit(texts + spanish, x)
    assert (model.labels[-30:] == OTHER_LANGUAGE).all()  # never a topic of their own
    stop = ENGLISH_STOP_WORDS | CARE_STOP_WORDS | OTHER_STOP_WORDS
    for t in model.topics:
        words = set(t["label"].lower().replace(",", " ").replace(":", " ").split())
        assert not words & stop, t["label"]
        assert len(t["label"].split()) <= 6


def test_posts_beyond_the_sample_join_their_topic_by_words():
    from audit.topics.join import by_words

    _, texts, truth = _blobs(n_per=60)
    sample = np.arange(len(texts)) % 2 == 0
    labels = np.where(truth[sample] >= 0, truth[sample], OUTLIER)
    joined = by_words([t for t, s in zip(texts, sample) if s], labels, [t for t, s in zip(texts, sample) if not s])
    rest = truth[~sample]
    assert (joined[rest >= 0] == rest[rest >= 0]).mean() > 0.95
    assert by_words(["a b"], np.array([OUTLIER]), ["a b"]).tolist() == [OUTLIER]  # nothing to join


def test_a_large_export_embeds_only_a_sample(monkeypatch):
    """Beyond ``embed_max`` posts one seeded sample is embedded; every post still gets a topic,
    and the topics' post counts cover the whole export."""
    from audit.topics import embeddings
    from audit.topics.model import assign

    x, texts, truth = _blobs(n_per=150)
    vectors = dict(zip(texts, x))
    seen: list[int] = []

    def fake_embed(batch, **_):
        seen.append(len(batch))
        return np.stack([vectors[t] for t in batch])

    monkeypatch.setattr(embeddings, "embed", fake_embed)
    model = assign(texts, embed_max=200, min_size=20)
    assert seen == [200] and len(model.labels) == len(texts)
    grouped = (truth >= 0) & (model.labels >= 0)
    from sklearn.metrics import adjusted_rand_score
    assert grouped.sum() > 0.8 * (truth >= 0).sum()
    assert adjusted_rand_score(truth[grouped], model.labels[grouped]) > 0.9
    assert sum(t["posts"] for t in model.topics) == int((model.labels >= 0).sum())
