"""Test-side stand-ins for the threads stage: messages + conversations frames per the contract.

Two builders: ``conversation``/``build`` for tiny hand-written fixtures whose answers are computed
by hand in the tests, and ``synth`` for profile-driven synthetic brands (profiles are the YAML
files next to this module) used to check that the rubric separates maturity levels.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "maturity"
MONDAY = pd.Timestamp("2024-03-04 00:00", tz="UTC")

Event = tuple  # (minutes after start, author, text[, sentiment[, intent]])


def conversation(cid: str, brand: str, customer: str, start: str | pd.Timestamp, events: list[Event],
                 channel: str = "twitter") -> list[dict]:
    """Rows of one conversation; each post replies to the previous one; ids are ``cid-<n>``."""
    start = pd.Timestamp(start, tz="UTC") if not isinstance(start, pd.Timestamp) else start
    rows = []
    for i, (minutes, author, text, *rest) in enumerate(events):
        sentiment = rest[0] if rest else "neutral"
        rows.append({
            "message_id": f"{cid}-{i}", "reply_to_id": f"{cid}-{i - 1}" if i else None,
            "author": author, "is_customer": author == customer,
            "created_at": start + pd.Timedelta(minutes=minutes), "text": text, "channel": channel,
            "conversation_id": f"{cid}-0", "brand": brand, "sentiment": sentiment,
            "intent": rest[1] if len(rest) > 1 else None,
        })
    return rows


def build(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages and the conversations table the threads stage would derive from them."""
    m = pd.DataFrame(rows)
    m["created_at"] = pd.to_datetime(m["created_at"], utc=True)
    m = m.sort_values(["conversation_id", "created_at", "message_id"]).reset_index(drop=True)
    m["turn"] = m.groupby("conversation_id").cumcount()
    m["depth"] = m["turn"]
    m["source_row"] = np.arange(1, len(m) + 1)
    for col in ("reply_to_unknown", "text_truncated", "cycle_broken"):
        m[col] = False
    for col in ("message_id", "reply_to_id", "author", "text", "channel", "conversation_id", "brand",
                "sentiment", "intent"):
        m[col] = m[col].astype("str").where(m[col].notna())
    g = m.groupby("conversation_id", sort=True)
    first = g.head(1).set_index("conversation_id")
    brand_posts = m.loc[~m["is_customer"]]
    customer_posts = m.loc[m["is_customer"]]
    first_reply = brand_posts.groupby("conversation_id").head(1).set_index("conversation_id")
    c = pd.DataFrame({
        "conversation_id": first.index,
        "brand": first["brand"].to_numpy(),
        "customer": customer_posts.groupby("conversation_id")["author"].first().reindex(first.index).to_numpy(),
        "channel": first["channel"].to_numpy(),
        "opened_at": first["created_at"].to_numpy(),
        "opened_by_customer": first["is_customer"].to_numpy(),
        "opening_message_id": first["message_id"].to_numpy(),
    })
    c["brands"] = c["brand"].map(lambda b: [b])
    idx = c["conversation_id"]
    opened_by_customer = c["opened_by_customer"]
    c["first_response_id"] = idx.map(first_reply["message_id"]).where(opened_by_customer)
    c["first_response_at"] = idx.map(first_reply["created_at"]).where(opened_by_customer)
    c["first_response_s"] = (c["first_response_at"] - c["opened_at"]).dt.total_seconds()
    c["answered"] = c["first_response_id"].notna()
    c["n_messages"] = idx.map(g.size()).astype("int64")
    c["n_customer"] = idx.map(customer_posts.groupby("conversation_id").size()).fillna(0).astype("int64")
    c["n_brand"] = c["n_messages"] - c["n_customer"]
    last = g.tail(1).set_index("conversation_id")
    c["last_speaker"] = idx.map(last["is_customer"]).map({True: "customer", False: "brand"})
    c["last_customer_at"] = idx.map(customer_posts.groupby("conversation_id")["created_at"].max())
    c["last_brand_at"] = idx.map(brand_posts.groupby("conversation_id")["created_at"].max())
    c["duration_s"] = (idx.map(last["created_at"]) - c["opened_at"]).dt.total_seconds()
    return m, c


def combine(*pairs: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.concat([p[0] for p in pairs], ignore_index=True),
            pd.concat([p[1] for p in pairs], ignore_index=True))


# --- synthetic brands --------------------------------------------------------------------------
PRODUCTS = ["router", "phone", "sofa", "lamp", "order", "bill", "app", "parcel", "charger", "kettle",
            "blender", "mattress", "tablet", "SIM", "contract", "refund", "delivery", "account",
            "voucher", "headset"]
PROBLEMS = ["stopped working", "arrived broken", "is late", "was charged twice", "keeps crashing",
            "never arrived", "is missing parts", "won't connect", "is the wrong size", "got cancelled"]
ANGRY = ["Not happy.", "Really frustrating!", "Third time this month.", "Awful service."]
QUESTIONS = ["when will you restock the", "do you deliver the", "how do I reset my",
             "is there a warranty on the", "can I return the"]
PRAISE = ["love my new", "great service on my", "so happy with the", "big thanks for the fast"]
NAMES = ["Sarah", "Tom", "Priya", "Jamal", "Lena", "Omar", "Grace", "Diego", "Mia", "Ken"]
AGENTS = ["^AB", "-Kim", "- Becky", "*JS", "^MR", "-Raj"]
BODIES = {
    "complaint": ["sorry to hear your {p} {x}.", "that's not the experience we want with your {p}.",
                  "apologies, your {p} {x} and that shouldn't happen."],
    "question": ["the {p} is covered for 24 months.", "you'll find that in the {p} settings.",
                 "the {p} ships to most postcodes within 3 days."],
    "compliment": ["thanks so much for the kind words about the {p}!", "great to hear you like the {p}!",
                   "we're so glad the {p} worked out!"],
}
HOUR_WEIGHTS = np.array([1, .6, .4, .3, .3, .5, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3.5, 3, 2.5, 1.5])


def load_profile(name: str) -> dict:
    return yaml.safe_load((HERE / f"{name}.yaml").read_text())


def _staffed(ts: pd.Timestamp, staffed: dict | None) -> bool:
    if staffed is None:
        return True
    window = staffed.get("weekend" if ts.day_of_week >= 5 else "weekday")
    return bool(window) and window[0] <= ts.hour < window[1]


def _delay(rng: np.random.Generator, ts: pd.Timestamp, p: dict) -> pd.Timestamp:
    """When the team gets to a post: after the next staffed hour starts, then a log-normal wait."""
    t = ts
    for _ in range(24 * 8):
        if _staffed(t, p.get("staffed")):
            break
        t = t.floor("h") + pd.Timedelta(hours=1)
    minutes = float(rng.lognormal(np.log(p["reply_median_min"]), p["reply_sigma"]))
    return t + pd.Timedelta(minutes=max(minutes, 1.0))


def _reply(rng: np.random.Generator, p: dict, kind: str, product: str, problem: str) -> str:
    if rng.random() < p["canned_rate"]:
        return p["templates"][kind]
    personal = rng.random() < p["personal_share"]
    body = rng.choice(BODIES[kind]).format(p=product, x=problem)
    text = (f"Hi {rng.choice(NAMES)}, " + body) if personal else body[0].upper() + body[1:]
    if personal and rng.random() < 0.5:
        text += " I'll keep an eye on it."
    if kind != "compliment" and rng.random() < p["dm_share"]:
        text += " Please send us a DM with your order number so we can look into it."
    if kind != "compliment" and rng.random() < p["escalation_share"]:
        text += " I've passed this to our specialist team."
    if rng.random() < p["link_share"]:
        text += f" More here: https://help.example.com/{int(rng.integers(1000))}"
    if rng.random() < p["signoff_share"]:
        text += " " + str(rng.choice(AGENTS))
    return text


def synth(profile: dict, seed: int = 0, n: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A month of conversations for one brand profile (see the YAML profiles for the knobs)."""
    p = profile
    rng = np.random.default_rng(seed)
    n = n or p["conversations"]
    marketing, service = p["handles"]["marketing"], p["handles"].get("service")
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    rows: list[dict] = []
    for i in range(n):
        cid = f"{p['prefix']}{i:05d}"
        start = MONDAY + pd.Timedelta(days=int(rng.integers(p["days"])), hours=int(rng.choice(24, p=hour_p)),
                                      minutes=float(rng.uniform(0, 60)))
        kind = str(rng.choice(["complaint", "question", "compliment"], p=p["mix"]))
        product, problem = str(rng.choice(PRODUCTS)), str(rng.choice(PROBLEMS))
        brand = service if service and rng.random() < p["customer_to_service"] else marketing
        customer = f"cust{seed}_{i}"
        opening = {"complaint": (f"@{brand} my {product} {problem}. {rng.choice(ANGRY)}", "negative"),
                   "question": (f"@{brand} quick question: {rng.choice(QUESTIONS)} {product}?", "neutral"),
                   "compliment": (f"@{brand} {rng.choice(PRAISE)} {product}!", "positive")}[kind]
        events = [(0.0, customer, opening[0], opening[1], kind)]
        if rng.random() < p["answer_rate"][kind]:
            t = _delay(rng, start, p)
            author = service if service and rng.random() < p["service_reply_share"] else marketing
            events.append(((t - start).total_seconds() / 60, author, _reply(rng, p, kind, product, problem), "neutral"))
            if rng.random() < p["customer_reply_rate"]:
                t = t + pd.Timedelta(minutes=float(rng.lognormal(np.log(30), 0.7)))
                if kind != "complaint" or rng.random() < p["recovery_rate"]:
                    text, sent = rng.choice([("thanks, that sorted it!", "positive"), ("ok, sent you a DM", "neutral")])
                else:
                    text, sent = "still not fixed, this is useless", "negative"
                events.append(((t - start).total_seconds() / 60, customer, f"@{author} {text}", sent, "other"))
                if rng.random() < p["brand_closes_rate"]:
                    t = _delay(rng, t, p)
                    events.append(((t - start).total_seconds() / 60, author,
                                   f"@{customer} Thanks for letting us know, we're on it.", "positive"))
            if rng.random() < p["check_in_rate"]:
                t = t + pd.Timedelta(hours=float(rng.uniform(2, 24)))
                events.append(((t - start).total_seconds() / 60, author,
                               f"@{customer} Just checking in: is your {product} working now?", "neutral"))
        channel = "facebook" if rng.random() < p["facebook_share"] else "twitter"
        rows += conversation(cid, brand, customer, start, events, channel)
    return build(rows)
