"""The crisis lexicon: which customer posts leave the social agent's queue, and for whom.

Why data and not code: the words that signal a crisis differ by sector and product ("fire" is a
safety word for a kettle maker and a product name for Amazon), so a client edits a YAML file,
validated here on load with an error that names the file and the problem. Two routes: ``crisis``
(PR and legal) and ``account_security`` (a specialist: account recovery is routine work, not a
PR event). Exception phrases (product names, idioms) are removed before matching.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "lexicons" / "crisis.yaml"
ROUTES = ("crisis", "account_security")       # lowest to highest precedence: crisis wins a tie
_TOP_KEYS = {"version", "exceptions", "categories"}
_CATEGORY_KEYS = {"route", "terms", "exceptions"}


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Category:
    name: str
    route: str
    terms: tuple[str, ...]
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    source: str
    exceptions: tuple[str, ...]
    categories: tuple[Category, ...]

    def terms(self, route: str) -> tuple[str, ...]:
        return tuple(t for c in self.categories if c.route == route for t in c.terms)


def _words(value: object, where: str, source: str, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        raise LexiconError(f"{source}: {where} must be a {'non-empty ' if required else ''}list of words")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise LexiconError(f"{source}: {where} holds {bad[0]!r}, not a word or phrase")
    return tuple(v.strip().casefold() for v in value)


def parse(data: object, source: str = "<lexicon>") -> Lexicon:
    """A lexicon from parsed YAML, checked key by key."""
    if not isinstance(data, Mapping):
        raise LexiconError(f"{source}: the file must hold a mapping with 'categories'")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise LexiconError(f"{source}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    cats = data.get("categories")
    if not isinstance(cats, Mapping) or not cats:
        raise LexiconError(f"{source}: 'categories' must map category names to route and terms")
    out = []
    for name, body in cats.items():
        if not isinstance(body, Mapping):
            raise LexiconError(f"{source}: category {name!r} must be a mapping with route and terms")
        unknown = set(body) - _CATEGORY_KEYS
        if unknown:
            raise LexiconError(f"{source}: category {name!r} has unknown key(s) {sorted(unknown)}")
        if body.get("route") not in ROUTES:
            raise LexiconError(f"{source}: category {name!r} has route {body.get('route')!r}; "
                               f"use one of {list(ROUTES)}")
        out.append(Category(str(name), str(body["route"]),
                            _words(body.get("terms"), f"category {name!r} terms", source, True),
                            _words(body.get("exceptions"), f"category {name!r} exceptions", source, False)))
    return Lexicon(source, _words(data.get("exceptions"), "exceptions", source, False), tuple(out))


def load(path: str | Path | None = None) -> Lexicon:
    """Read and validate a lexicon file (the shipped default without a path)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"{p}: not valid YAML ({exc})") from exc
    return parse(data, str(p))


def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    ordered = sorted(set(words), key=lambda w: (-len(w), w))    # longest phrase first
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")\b", re.IGNORECASE)


def matches(lexicon: Lexicon, texts: pd.Series) -> pd.DataFrame:
    """Per post: ``route`` (crisis / account_security / None) and the ``words`` that fired.

    Exception phrases are blanked out first; a post that matches both routes goes to crisis."""
    text = texts.fillna("").astype(str)
    common = _pattern(lexicon.exceptions)
    if common is not None:
        text = text.str.replace(common, " ", regex=True)
    hits: dict[str, pd.Series] = {}
    for cat in lexicon.categories:
        own = _pattern(cat.exceptions)
        cleaned = text.str.replace(own, " ", regex=True) if own is not None else text
        found = cleaned.str.findall(_pattern(cat.terms)).map(lambda ws: [w.casefold() for w in ws])
        hits[cat.route] = found if cat.route not in hits else hits[cat.route] + found
    route = pd.Series(None, index=texts.index, dtype="object")
    words = pd.Series([[] for _ in range(len(texts))], index=texts.index, dtype="object")
    for r in ROUTES:                                   # crisis first: it wins a post both match
        if r not in hits:
            continue
        take = hits[r].map(bool) & route.isna()
        route = route.mask(take, r)
        words = words.mask(take, hits[r])
    return pd.DataFrame({"route": route, "words": words})
