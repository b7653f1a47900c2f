"""What the playbook's wording follows from the client's own posts: the reference a reply asks
for, the problems the front line takes, the specialist teams it hands on to, and which reply
templates lead (``tailoring.yaml`` beside this module, validated on load).

Why from the data and not one text for everyone: a games publisher told to ask for an
"[order/account] reference" and to hand cases to "billing, delivery, returns" specialists reads
boilerplate, not advice. The sector is read from the words of the client's customer posts, the
specialists from the owners of its largest topics, the template order from its intent mix; every
rule is data a consultant can edit, none is written per sector in code.
"""
from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pandas as pd

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.reading.redact import redact_text
from audit.report.playbook.context import Client
from audit.report.playbook.evidence import INTENTS
from audit.topics.routing import is_keyword, keyword_pattern

DEFAULT_PATH = Path(__file__).with_name("tailoring.yaml")
_TOP = {"min_share", "front_line", "max_specialists", "rare_share", "drop_share", "sectors", "general", "templates"}
_WORDING = ("reference", "references", "problems", "thanks")
_SECTOR = {"keywords", "specialists", *_WORDING}
_TEMPLATE = {"name", "intents", "when", "text"}
#: what a template may fill in from the client (``{name}`` in the YAML)
FIELDS = frozenset({"private", "reference", "thanks", "p2", "p3", "p4", "sign"})
#: the sentiment a post of an intent should carry to stand as its example (a "thank you" that is
#: negative is sarcasm, not a compliment)
AGREEING = {"complaint": "negative", "compliment": "positive"}
EXAMPLE_CHARS = (25, 220)   # a customer post short enough to quote under a template, long enough to say something


@dataclass(frozen=True)
class Sector:
    key: str
    keywords: tuple[str, ...]
    wording: Mapping[str, str]        # reference, references, problems, thanks
    specialists: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    source: str
    min_share: float
    front_line: frozenset[str]
    max_specialists: int
    rare_share: float
    drop_share: float
    sectors: tuple[Sector, ...]
    general: Sector
    templates: tuple[dict, ...]


def _fail(source: str, msg: str) -> NoReturn:
    raise AuditInputError(f"Tailoring file {source}: {msg} (see audit/report/playbook/tailoring.yaml for the format)")


def _share(doc: Mapping, key: str, source: str) -> float:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        _fail(source, f"'{key}' must be a share between 0 and 1, got {value!r}")
    return float(value)


def _texts(value: object, where: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(source, f"{where} must be a list of names")
    return tuple(v.strip() for v in value)


def _sector(key: str, body: object, source: str, general: bool = False) -> Sector:
    where = "general" if general else f"sectors.{key}"
    allowed = _SECTOR - ({"keywords"} if general else set())
    if not isinstance(body, Mapping):
        _fail(source, f"{where} must be a mapping with {sorted(allowed)}")
    if set(body) != allowed:
        _fail(source, f"{where} needs exactly the keys {sorted(allowed)}; "
                      f"missing {sorted(allowed - set(body))}, unknown {sorted(set(body) - allowed)}")
    for k in _WORDING:
        if not isinstance(body[k], str) or not body[k].strip():
            _fail(source, f"{where}.{k} must be text")
    keywords: tuple[str, ...] = ()
    if not general:
        if not isinstance(body["keywords"], list) or not body["keywords"]:
            _fail(source, f"{where}.keywords must be a non-empty list")
        bad = [k for k in body["keywords"] if not is_keyword(k)]
        if bad:
            _fail(source, f"{where}.keywords: {bad[0]!r} must be a word or phrase, optionally ending in *")
        keywords = tuple(k.strip().lower() for k in body["keywords"])
    return Sector(key, keywords, {k: body[k].strip() for k in _WORDING},
                  _texts(body["specialists"], f"{where}.specialists", source))


def _template(i: int, body: object, source: str) -> dict:
    where = f"templates[{i}]"
    if not isinstance(body, Mapping) or set(body) != _TEMPLATE:
        _fail(source, f"{where} needs exactly the keys {sorted(_TEMPLATE)}")
    for k in ("name", "when", "text"):
        if not isinstance(body[k], str) or not body[k].strip():
            _fail(source, f"{where}.{k} must be text")
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(body[k]) if f is not None}
        except ValueError as exc:
            _fail(source, f"{where}.{k}: unbalanced braces ({exc})")
        if fields - FIELDS:
            _fail(source, f"{where}.{k}: unknown placeholder(s) {sorted(fields - FIELDS)}; allowed: {sorted(FIELDS)}")
    intents = body["intents"]
    if not isinstance(intents, list) or any(i not in INTENTS or i == "other" for i in intents):
        _fail(source, f"{where}.intents must be a list of complaint, question, compliment (or empty)")
    return {"name": body["name"].strip(), "intents": list(intents), "when": body["when"].strip(),
            "text": " ".join(body["text"].split())}


def load(path: str | Path | None = None) -> Rules:
    """Read and check a tailoring file; every problem names the file and what to fix."""
    path = Path(path or DEFAULT_PATH)
    source = str(path)
    doc = runfolder.read_yaml(path, "tailoring")
    if not isinstance(doc, Mapping):
        _fail(source, "expected a mapping with " + ", ".join(sorted(_TOP)))
    if set(doc) != _TOP:
        _fail(source, f"needs exactly the keys {sorted(_TOP)}; missing {sorted(_TOP - set(doc))}, "
                      f"unknown {sorted(set(doc) - _TOP)}")
    if not isinstance(doc["sectors"], Mapping) or not doc["sectors"]:
        _fail(source, "'sectors' must map sector names to keywords and wording")
    if not isinstance(doc["templates"], list) or not doc["templates"]:
        _fail(source, "'templates' must be a non-empty list")
    most = doc["max_specialists"]
    if isinstance(most, bool) or not isinstance(most, int) or most < 1:
        _fail(source, f"'max_specialists' must be a whole number from 1, got {most!r}")
    return Rules(source=source, min_share=_share(doc, "min_share", source),
                 front_line=frozenset(_texts(doc["front_line"], "front_line", source)), max_specialists=most,
                 rare_share=_share(doc, "rare_share", source), drop_share=_share(doc, "drop_share", source),
                 sectors=tuple(_sector(str(k), v, source) for k, v in doc["sectors"].items()),
                 general=_sector("general", doc["general"], source, general=True),
                 templates=tuple(_template(i, t, source) for i, t in enumerate(doc["templates"])))


# --------------------------------------------------------------------------------------------
# Fitting the rules to one client
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tailoring:
    """The rules as they fall for one client (``fit``); ``inputs`` records why, for audit.json."""

    sector: Sector
    specialists: tuple[str, ...]
    specialists_from: str              # "topics", "sector" or "none"
    intent_shares: Mapping[str, float] | None
    rules: Rules
    inputs: dict

    def word(self, key: str) -> str:
        return self.sector.wording[key]

    def specialist_phrase(self, capital: bool = False) -> str:
        """'Logistics and Billing specialists', or 'the specialist team that owns the case'."""
        names = list(self.specialists)
        if not names:
            return ("The" if capital else "the") + " specialist team that owns the case"
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{joined} specialists"


def sector_shares(texts: pd.Series, sectors: Sequence[Sector]) -> dict[str, float]:
    """Share of the posts that use each sector's words."""
    texts = texts.astype("string").fillna("")
    if texts.empty:
        return {s.key: 0.0 for s in sectors}
    return {s.key: float(texts.str.contains(keyword_pattern(s.keywords), regex=True).mean()) for s in sectors}


def choose_sector(shares: Mapping[str, float], rules: Rules) -> Sector:
    """The sector with the largest share at or above ``min_share`` (first listed on a tie), else general."""
    best = max(rules.sectors, key=lambda s: shares.get(s.key, 0.0))   # max keeps the first of equals
    return best if shares.get(best.key, 0.0) >= rules.min_share and shares[best.key] > 0 else rules.general


def topic_specialists(topics: Mapping | None, rules: Rules) -> tuple[str, ...]:
    """Owners of the client's largest topics (the report's order), front-line teams left out."""
    out: list[str] = []
    for t in (topics or {}).get("topics") or []:
        owner = str(t.get("owner") or "").strip()
        if owner and owner not in rules.front_line and owner not in out:
            out.append(owner)
    return tuple(out[:rules.max_specialists])


def intent_shares(inbound: pd.DataFrame) -> dict[str, float] | None:
    """Each intent's share of the client's customer posts; None when intent was not scored."""
    if "intent" not in inbound.columns or inbound["intent"].isna().all():
        return None
    counts = inbound["intent"].astype("string").value_counts()
    total = int(counts.sum())
    return {i: float(counts.get(i, 0)) / total for i in INTENTS} if total else None


def fit(client: Client, topics: Mapping | None, rules: Rules | None = None) -> Tailoring:
    rules = rules or load()
    texts = client.inbound["text"] if "text" in client.inbound.columns else pd.Series(dtype="string")
    shares = sector_shares(texts, rules.sectors)
    sector = choose_sector(shares, rules)
    from_topics = topic_specialists(topics, rules)
    specialists, origin = ((from_topics, "topics") if from_topics else
                           (sector.specialists, "sector") if sector.specialists else ((), "none"))
    intents = intent_shares(client.inbound)
    inputs = {"rules": Path(rules.source).name, "sector": sector.key,
              "sector_shares": {k: round(v, 4) for k, v in shares.items()}, "min_share": rules.min_share,
              "specialists": list(specialists), "specialists_from": origin,
              "intent_shares": None if intents is None else {k: round(v, 4) for k, v in intents.items()}}
    return Tailoring(sector, tuple(specialists), origin, intents, rules, inputs)


# --------------------------------------------------------------------------------------------
# Reply templates: in the client's order, with one of its own posts as the example
# --------------------------------------------------------------------------------------------
def _share_of(template: Mapping, shares: Mapping[str, float] | None) -> float | None:
    return None if shares is None or not template["intents"] else sum(shares.get(i, 0.0) for i in template["intents"])


def order_templates(tailor: Tailoring) -> list[dict]:
    """Templates for the client's common intents first (largest share first), then those any case
    needs, then the rare ones marked ``rare``; templates for intents it (almost) never gets are
    dropped. Without intent scores, the file's order."""
    rules, shares = tailor.rules, tailor.intent_shares
    common, general, rare = [], [], []
    for t in rules.templates:
        share = _share_of(t, shares)
        if share is None:
            general.append({**t, "share": None, "rare": False})
        elif share >= rules.rare_share:
            common.append({**t, "share": share, "rare": False})
        elif share >= rules.drop_share and share > 0:
            rare.append({**t, "share": share, "rare": True})
    if shares is None:
        return general
    return sorted(common, key=lambda t: -t["share"]) + general + rare


def example_post(client: Client, intents: Sequence[str], tailor: Tailoring) -> str:
    """One of the client's own customer posts of these intents (masked; the earliest of those whose
    sentiment agrees with the intent and that use the sector's words, where any do), for the agent
    to see what the template answers; '' when there is none."""
    posts = client.inbound
    if not intents or posts.empty or "intent" not in posts.columns:
        return ""
    mine = posts.loc[posts["intent"].isin(list(intents)).fillna(False)]
    masked = (mine["text"].astype("string").fillna("").map(lambda t: redact_text(str(t), client.brands))
              .str.replace(r"^(?:\s*\.?@\S+)+\s*", "", regex=True).str.strip())   # leading @mentions say nothing
    low, high = EXAMPLE_CHARS
    ok = masked.str.len().between(low, high) & ~masked.str.startswith("RT ")
    preferred = []   # each narrows the choice only where a post passes it
    if "sentiment" in mine.columns and set(intents) <= set(AGREEING):
        preferred.append(mine["sentiment"].isin([AGREEING[i] for i in intents]).fillna(False))
    if tailor.sector.keywords:
        preferred.append(mine["text"].astype("string").fillna("").str.contains(keyword_pattern(tailor.sector.keywords), regex=True))
    for mask in preferred:
        ok = ok & mask if (ok & mask).any() else ok
    if not ok.any():
        return ""
    order = [c for c in ("created_at", "message_id") if c in mine.columns]
    chosen = mine.loc[ok].sort_values(order, kind="stable").index[0]
    return str(masked.loc[chosen])
