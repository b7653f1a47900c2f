"""The demo playbooks on the real pipeline (sample -> ingest -> threads -> metrics -> grade -> playbook).

Sentiment and intent come from a small keyword stand-in instead of the transformer models, so the
tests are fast and deterministic; everything downstream of scoring is the production code. One
hostile customer conversation is planted to check masking and escaping.
"""
from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

import pandas as pd

from audit import grading as maturity
from audit.conversations import threads
from audit.demo import sample, twcs
from audit.metrics import peers
from audit.metrics import registry as metrics
from audit.reading import ingest
from audit.report import playbook, render
from audit.run.stages import intent_accuracy

CLIENTS = {"Acme": ["Acme", "AcmeHelp"], "Northwind Home": ["NorthwindHome"]}
HOSTILE = ("<script>alert(1)</script> worst service ever, order 12345678 STILL missing, "
           "call me on +44 20 7946 0958 or mail jane.doe@example.com <img src=x onerror=alert(1)>")
NEG = re.compile(r"worst|fuming|annoyed|not impressed|ugh|unbelievable|shocking|terrible|awful|joke|"
                 r"useless|disgrace|pathetic|still|never|😡|🤬|🙄|👎|sick of|fail|poor|broken|"
                 r"charged twice|smashed|faulty|hasn't|isn't|can't|nobody", re.I)
POS = re.compile(r"thank|love|great|amazing|brilliant|best|perfect|glad|😊|🙌|❤|👍|cheers|awesome", re.I)


def stand_in_scores(messages: pd.DataFrame) -> pd.DataFrame:
    """Keyword sentiment and intent, in the columns the scoring stage adds."""
    neg = messages["text"].str.count(NEG)
    pos = messages["text"].str.count(POS)
    sentiment = pd.Series("neutral", index=messages.index).mask(neg > pos, "negative").mask(pos > neg, "positive")
    score = sentiment.map({"negative": -0.7, "neutral": 0.0, "positive": 0.7}).astype(float)
    intent = (pd.Series("other", index=messages.index)
              .mask(sentiment.eq("positive"), "compliment").mask(sentiment.eq("negative"), "complaint")
              .mask(messages["text"].str.contains("?", regex=False), "question"))
    return messages.assign(sentiment=sentiment, sentiment_score=score,
                           intent=intent.where(messages["is_customer"]))


def plant_hostile(frame: pd.DataFrame) -> pd.DataFrame:
    """A complaint full of markup and personal data, answered in one minute, then a thank-you."""
    start = pd.Timestamp("2017-10-10 10:00", tz="UTC")
    ids = ["990000001", "990000002", "990000003"]
    rows = [
        (ids[0], "777001", True, start, "@AcmeHelp " + HOSTILE, ids[1], ""),
        (ids[1], "AcmeHelp", False, start + pd.Timedelta(minutes=1),
         "@777001 So sorry! I've rebooked your delivery for tomorrow morning and refunded the fee -Jess",
         ids[2], ids[0]),
        (ids[2], "777001", True, start + pd.Timedelta(minutes=20), "@AcmeHelp thank you, brilliant!", "", ids[1]),
    ]
    extra = pd.DataFrame(rows, columns=twcs.COLUMNS)
    # epoch seconds whatever the datetime unit pandas picked (microseconds in pandas 3)
    seconds = (pd.to_datetime(extra["created_at"]) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    extra["created_at"] = twcs.format_twcs_time(seconds.to_numpy())
    for col in twcs.COLUMNS:
        extra[col] = extra[col].astype(str)
    return pd.concat([frame.astype(str), extra], ignore_index=True)


@functools.lru_cache(maxsize=1)
def pipeline() -> tuple:
    """Messages, conversations and row accounting of a small seeded sample (built once)."""
    frame = plant_hostile(sample.generate(1500, seed=11, weeks=4))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        frame.to_csv(path, index=False)
        loaded = ingest.load(path)
    messages, conversations = threads.build(loaded.messages)
    return stand_in_scores(messages), conversations, loaded.accounting


@functools.lru_cache(maxsize=None)
def demo(client: str) -> tuple[dict, dict, dict]:
    """(playbook, metrics, grade) for one demo client."""
    messages, conversations, accounting = pipeline()
    figures = metrics.compute_all(messages, conversations, CLIENTS[client])
    grade = maturity.grade(figures)
    book = playbook.build(figures, grade, messages, conversations, client=client, brands=CLIENTS[client],
                          accounting=accounting, model_card_summary={"model": "default", "test_macro_f1": 0.71},
                          intent_accuracy=intent_accuracy(), peers=peers.from_metrics(figures))
    return book, figures, grade


#: two large handles of the real multi-brand TWCS sample (``../shared/real``, read in place)
REAL_CLIENTS = {"Amazon": ["AmazonHelp"], "Apple": ["AppleSupport"]}


@functools.lru_cache(maxsize=1)
def real_pipeline() -> tuple:
    """Messages (keyword-scored), conversations and row accounting of the real TWCS sample (read once)."""
    from audit.common.realdata import real_dir

    path = real_dir() / "twcs_random5000.csv"
    if not path.exists():
        raise FileNotFoundError(f"real data missing: {path} (see ../shared/real/README.md)")
    loaded = ingest.load(path)
    messages, conversations = threads.build(loaded.messages)
    return stand_in_scores(messages), conversations, loaded.accounting


@functools.lru_cache(maxsize=None)
def real(client: str) -> tuple[dict, dict, dict]:
    """(playbook, metrics, grade) for one brand of the real sample, on its own analysis window as a
    run measures it (the fitness gate included; every post read as English)."""
    from audit.conversations import window
    from audit.metrics import fitness
    from audit.metrics.jsonable import jsonable

    messages, conversations, accounting = real_pipeline()
    brands = REAL_CLIENTS[client]
    span = window.of_handles(messages, brands)
    m, c = span.select(messages, conversations)
    m = m.assign(language="en", readable=True)
    figures = metrics.compute_all(m, c, brands, days=span.days())
    figures["scope"]["window"] = jsonable(span.to_dict())
    figures["fitness"] = jsonable(fitness.of_client(m, c, brands, figures["by_brand"], days=span.days()))
    figures = jsonable(figures)
    grade = maturity.grade(figures)
    book = playbook.build(figures, grade, m, c, client=client, brands=brands, accounting=accounting,
                          model_card_summary={"model": "default", "test_macro_f1": 0.71},
                          intent_accuracy=intent_accuracy(), peers=peers.from_metrics(figures))
    return book, figures, grade


@functools.lru_cache(maxsize=1)
def thin() -> tuple[dict, str]:
    """(playbook, its text) for the first 12 customer conversations with Acme's handles, all
    opened within 3 days: the shape of a thin export."""
    messages, conversations, accounting = pipeline()
    brands = CLIENTS["Acme"]
    c = conversations.loc[conversations["brand"].isin(brands)
                          & conversations["opened_by_customer"].fillna(False).astype(bool)
                          & (conversations["opened_at"] > pd.Timestamp("2000-01-01", tz="UTC"))]
    c = c.loc[c["opened_at"] < c["opened_at"].min() + pd.Timedelta(days=3)].sort_values("opened_at").head(12)
    keep = set(c["conversation_id"])
    m = messages.loc[messages["conversation_id"].isin(keep)]
    conv = conversations.loc[conversations["conversation_id"].isin(keep)]
    figures = metrics.compute_all(m, conv, brands)
    grade = maturity.grade(figures)
    book = playbook.build(figures, grade, m, conv, client="Acme", brands=brands, accounting=accounting,
                          model_card_summary={"model": "default", "identity": "sha256:abc", "test_macro_f1": 0.71},
                          intent_accuracy=intent_accuracy(),
                          peers=peers.from_metrics(figures))
    html = render.render_html(book)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<(svg|style).*?</\1>", "", html, flags=re.S)))
    return book, text
