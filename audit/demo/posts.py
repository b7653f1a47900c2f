"""The text of every demo post, composed from the text banks.

Why: the voice, sentiment and topic stages read the texts, so they must vary like real posts
(typos, emoji, sign-offs, canned replies) while a thread keeps its own order number, city and day.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from audit.demo.plans import Plan
from audit.demo.profiles import INTENTS, TEAMS, Entry, author_handles
from audit.demo.textbank import (
    ANNOUNCE,
    B_ASK,
    B_GREET,
    B_SORRY,
    BRAND_TEXTS,
    C_CLOSERS,
    C_DETAILS,
    C_OPENERS,
    CANNED,
    CHATTER,
    CITIES,
    COMPLAINTS,
    DAYS,
    EMOJI_TAIL,
    FOLLOW_UPS,
    P_CLOSERS,
    P_OPENERS,
    PRAISE,
    Q_CLOSERS,
    Q_OPENERS,
    QUESTIONS,
    SARCASM,
)

MAX_CHARS = 280


class _Fill(dict):
    """Per-message placeholder values; unknown keys are left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _mix(topic: np.ndarray, salt: int) -> np.ndarray:
    """Spread a conversation's topic number into independent-looking digits (splitmix64)."""
    z = np.asarray(topic, dtype=np.uint64) + np.uint64(salt * 0x9E3779B97F4A7C15 % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _fills(sector: str, topic: np.ndarray) -> list[_Fill]:
    """Placeholder values derived from the conversation's topic number, so the order number,
    city or day a customer gives stays the same through the whole thread."""
    def draw(salt: int, low: int, high: int) -> np.ndarray:
        return (low + _mix(topic, salt) % np.uint64(high - low)).astype(np.int64)

    digits, nums, mins, money = draw(1, 10**5, 10**6), draw(2, 2, 15), draw(3, 25, 160), draw(4, 12, 90)
    days, cities, speeds, codes = draw(5, 0, 7), draw(6, 0, len(CITIES)), draw(7, 1, 9), draw(8, 36**5, 36**6)
    if sector == "home":
        refs = [f"NW{d}" for d in digits]
    elif sector == "telco":
        refs = [f"account ending {d % 10000:04d}" for d in digits]
    else:
        refs = [f"#A{d}{d % 997:03d}" for d in digits]
    return [_Fill(ref=refs[i], n=int(nums[i]), mins=int(mins[i]), money=int(money[i]), day=DAYS[days[i]],
                  city=CITIES[cities[i]], speed=int(speeds[i]), code=np.base_repr(int(codes[i]), 36).lower())
            for i in range(len(topic))]


def _sentence(*parts: str) -> str:
    """Join parts, capitalising a part that starts a new sentence."""
    out = ""
    for part in parts:
        if not part:
            continue
        if not out or out.rstrip()[-1:] in ".!?:":
            part = part[0].upper() + part[1:]
        out = f"{out} {part}" if out else part
    return out


def _pick(rng: np.random.Generator, bank: Sequence[str], n: int) -> list[str]:
    return [bank[i] for i in rng.integers(0, len(bank), size=n)]


def _mention(rng: np.random.Generator, handles: Sequence[str], bodies: Sequence[str]) -> list[str]:
    """Customers mostly start with the handle, sometimes tag it at the end or mid-sentence."""
    style = rng.random(len(bodies))
    out = []
    for s, h, b in zip(style, handles, bodies):
        if s < 0.8:
            out.append(f"@{h} {b}")
        elif s < 0.9:
            out.append(f"{b} @{h}")
        else:
            out.append(f"Hey @{h} {b[0].lower()}{b[1:]}")
    return out


def _open_posts(rng, sector: str, intent: str, topic: np.ndarray, handles: Sequence[str]) -> list[str]:
    n = len(topic)
    fills = _fills(sector, topic)
    if intent == "complaint":
        bank = COMPLAINTS[sector]
        sarcastic = rng.random(n) < 0.04
        parts = zip(_pick(rng, C_OPENERS, n), _pick(rng, C_DETAILS, n), _pick(rng, C_CLOSERS, n))
        bodies = [SARCASM[t % len(SARCASM)] if s else _sentence(o, bank[t % len(bank)][0] + ".", d, c)
                  for t, s, (o, d, c) in zip(topic, sarcastic, parts)]
    elif intent == "question":
        bank = QUESTIONS[sector]
        bodies = [_sentence(o, bank[t % len(bank)][0], c)
                  for t, o, c in zip(topic, _pick(rng, Q_OPENERS, n), _pick(rng, Q_CLOSERS, n))]
    elif intent == "compliment":
        bank = PRAISE[sector]
        bodies = [_sentence(o, bank[t % len(bank)] + ".", c)
                  for t, o, c in zip(topic, _pick(rng, P_OPENERS, n), _pick(rng, P_CLOSERS, n))]
    else:
        bodies = [CHATTER[t % len(CHATTER)] for t in topic]
    return [b.format_map(f) for b, f in zip(_mention(rng, handles, bodies), fills)]


def _to_help(rng, sector: str, intent: str, topic: np.ndarray, handles: Sequence[str]) -> list[str]:
    """The customer's second try, at the help handle the marketing handle pointed to."""
    bank = COMPLAINTS[sector] if intent == "complaint" else QUESTIONS[sector]
    fills = _fills(sector, topic)
    lead = _pick(rng, ("hi, @Acme sent me here -", "@Acme said to ask you:", "hello, following up from @Acme:"), len(topic))
    return [f"@AcmeHelp {l} {bank[t % len(bank)][0]}".format_map(f) for t, l, f in zip(topic, lead, fills)]


def _customer_reply(rng, sector: str, kind: str, intent: str, topic: np.ndarray,
                    handles: Sequence[str]) -> list[str]:
    fills = _fills(sector, topic)
    bodies = _pick(rng, FOLLOW_UPS.get(f"{kind}_{intent}", FOLLOW_UPS[kind]), len(topic))
    return [f"@{h} {b}".format_map(f) for h, b, f in zip(handles, bodies, fills)]


def _brand_reply(rng, sector: str, kind: str, intent: str, topic: np.ndarray, handle: str,
                 customers: Sequence[str]) -> list[str]:
    """A reply from ``handle`` to each customer: body by kind, some canned, optional sign-off."""
    n = len(topic)
    team = TEAMS[handle]
    if kind in ("canned", "canned_thanks"):
        bodies = _pick(rng, CANNED[handle + ("_thanks" if kind == "canned_thanks" else "")], n)
    elif kind == "announce":
        return [b.format_map(f) for b, f in zip(_pick(rng, ANNOUNCE[handle], n), _fills(sector, topic))]
    elif kind in ("apology", "apology_fix", "resolve", "answer"):
        bodies = _answer_bodies(rng, sector, kind, intent, topic)
        if team.canned_share and handle in CANNED:
            canned = rng.random(n) < team.canned_share
            bodies = [CANNED[handle][0] if c else b for c, b in zip(canned, bodies)]
    else:
        bodies = _pick(rng, BRAND_TEXTS[kind], n)
    signed = rng.random(n) < team.signoff_share
    signs = _pick(rng, team.signoffs or ("",), n)
    fills = _fills(sector, topic)
    return [f"@{c} {b}{' ' + s if g else ''}".format_map(f)
            for c, b, g, s, f in zip(customers, bodies, signed, signs, fills)]


def _answer_bodies(rng, sector: str, kind: str, intent: str, topic: np.ndarray) -> list[str]:
    n = len(topic)
    if kind == "apology":
        return [f"{s} {a}" for s, a in zip(_pick(rng, B_SORRY, n), _pick(rng, B_ASK[sector], n))]
    if kind == "answer" or intent == "question":
        bank = QUESTIONS[sector]
        return [_sentence(g, bank[t % len(bank)][1] + ".") for t, g in zip(topic, _pick(rng, B_GREET, n))]
    bank = COMPLAINTS[sector]
    lead = _pick(rng, B_SORRY, n) if kind == "apology_fix" else ["Thanks for that!"] * n
    return [f"{l} I've checked and {bank[t % len(bank)][1]}." for t, l in zip(topic, lead)]


_TYPO_SWAPS = (("you", "u"), ("please", "pls"), ("your", "ur"), ("thanks", "thx"), ("really", "rly"),
               ("because", "cos"), ("the ", "teh "), ("receive", "recieve"), ("definitely", "definately"))


def _roughen(rng: np.random.Generator, texts: list[str], cross: bool) -> list[str]:
    """Make customer posts look typed on a phone: lower case, text-speak, swapped letters, a photo
    link, a line break; ``cross`` posts also shout and end in an angry emoji."""
    n = len(texts)
    r = rng.random((n, 6))
    swap = rng.integers(0, len(_TYPO_SWAPS), size=n)
    pos = rng.random(n)
    tails = _pick(rng, EMOJI_TAIL, n)
    links = [f" https://t.co/{np.base_repr(int(c), 36)}" for c in rng.integers(36**9, 36**10, size=n)]
    out = []
    for i, text in enumerate(texts):
        if r[i, 0] < 0.15:
            text = text.lower()
        if r[i, 1] < 0.15:
            a, b = _TYPO_SWAPS[swap[i]]
            text = text.replace(a, b, 1)
        elif r[i, 1] < 0.22:
            j = 1 + int(pos[i] * (len(text) - 2))
            if text[j - 1].isalpha() and text[j].isalpha():
                text = text[:j - 1] + text[j] + text[j - 1] + text[j + 1:]
        if cross and r[i, 2] < 0.05:
            text = text.upper()
        if cross and r[i, 3] < 0.3:
            text += tails[i]
        if r[i, 4] < 0.04:
            text += links[i]
        if r[i, 5] < 0.05:
            text = text.replace(". ", ".\n" if r[i, 5] < 0.03 else ".\n\n", 1)
        out.append(text)
    return out


def _escape(text: str) -> str:
    """TWCS stores tweets with &, < and > as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[:MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def post_texts(rng, steps: pd.DataFrame, plan: Plan, entries: Sequence[Entry]) -> np.ndarray:
    """Compose every post, one vectorised batch per (entry, intent, kind)."""
    text = np.empty(len(steps), dtype=object)
    handle = author_handles(steps)
    parent = steps["parent"].to_numpy()
    # customers address the brand they answer, or the entry handle when opening / nudging
    entry_handle = np.array([e.handle for e in entries], dtype=object)[steps["entry"].to_numpy()]
    addressed = np.where((parent >= 0) & (handle[np.maximum(parent, 0)] != ""),
                         handle[np.maximum(parent, 0)], entry_handle)
    customers = steps["customer"].astype(str).to_numpy()
    topic = steps["topic"].to_numpy()
    groups = steps.groupby(["entry", "intent", "kind", "speaker"], sort=True).indices
    for (e, i, kd, spk), rows in groups.items():
        sector, intent, kind = entries[e].sector, INTENTS[i], plan.kinds[kd]
        if spk == 1:
            if kind == "open":
                made = _open_posts(rng, sector, intent, topic[rows], addressed[rows])
            elif kind == "to_help":
                made = _to_help(rng, sector, intent, topic[rows], addressed[rows])
            else:
                made = _customer_reply(rng, sector, kind, intent, topic[rows], addressed[rows])
            made = _roughen(rng, made, cross=intent == "complaint" and kind in ("open", "angry", "nudge"))
        else:
            made = _brand_reply(rng, sector, kind, intent, topic[rows], handle[rows[0]], customers[rows])
        text[rows] = [_escape(_clip(m)) for m in made]
    return text
