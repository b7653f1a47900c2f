"""Turn the playbook model into one self-contained HTML file and its PDF.

Why one Jinja environment with autoescape everywhere and StrictUndefined: the playbook quotes
customers, and customer text is untrusted. Everything is escaped; the only ``Markup`` in a page
is the stylesheet (a file we ship) and the chart SVGs we draw ourselves from numbers. A missing
key fails the render instead of printing an empty cell into a client report.
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from audit import charts
from audit.safeio import atomic_write_bytes, atomic_write_text

TEMPLATES = Path(__file__).resolve().parent.parent / "playbook_templates"
STYLESHEET = "playbook.css"
DASH = "–"  # what a missing figure prints as


def percent(value: float | None, digits: int = 0) -> str:
    """0.4231 -> '42%'; tiny non-zero shares print as '<1%' rather than a misleading 0%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if 0 < abs(value) < 0.5 / 10 ** (digits + 2):
        return f"<{1 / 10 ** digits:g}%"
    return f"{value * 100:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """Seconds in the unit a manager thinks in: '45 s', '12 min', '3.5 h', '2.1 days'."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return DASH
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return f"{_trim(hours)} h" if hours < 10 else f"{hours:.0f} h"
    return f"{_trim(seconds / 86400)} days"


def _trim(x: float) -> str:
    """One decimal, without a trailing '.0' ('4 h', '2.5 h')."""
    return f"{x:.1f}".removesuffix(".0")


def minutes(value: float | None) -> str:
    """A figure kept in minutes (targets, handle time), printed like ``duration``."""
    return DASH if value is None else duration(value * 60)


def number(value: float | None, digits: int = 0) -> str:
    """Thousands separators; integers stay integers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def figure(value: Any, kind: str | None) -> str:
    """Format a value by the ``fmt`` the playbook model recorded next to it."""
    formatters = {"percent": percent, "duration": duration, "minutes": minutes,
                  "number": number, "decimal": lambda v: number(v, 1),
                  "score": lambda v: number(v, 2)}
    if kind in formatters:
        return formatters[kind](value)
    return DASH if value is None else str(value)


def environment() -> Environment:
    """The one Jinja environment: every template autoescaped, undefined names are errors."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(percent=percent, duration=duration, minutes=minutes, number=number,
                       figure=figure)
    return env


_ID = re.compile(r'(\bid="|url\(#|href="#)')


def _scope_ids(svg: str, prefix: str) -> str:
    """Several SVGs inline in one page share an id namespace; prefix each chart's ids."""
    return _ID.sub(lambda m: f"{m.group(1)}{prefix}-", svg)


def draw_charts(book: dict, charts_dir: str | os.PathLike | None = None) -> dict[str, Markup]:
    """Draw every chart the playbook asks for (``book['charts'][name] = {kind, data}``); only
    the chart kinds in ``charts.KINDS`` can be called. Saved to ``charts_dir`` when given."""
    drawn: dict[str, Markup] = {}
    for name, spec in sorted(book.get("charts", {}).items()):
        svg = charts.KINDS[spec["kind"]](**spec["data"])
        if charts_dir is not None:
            charts.save(svg, charts_dir, name)
        drawn[name] = Markup(_scope_ids(svg, name))  # our own drawing, numbers only
    return drawn


def render_html(book: dict, charts_dir: str | os.PathLike | None = None) -> str:
    """The whole report as one HTML string: CSS and charts inline, no scripts, no network."""
    env = environment()
    css = Markup((TEMPLATES / STYLESHEET).read_text(encoding="utf-8"))  # shipped file, no data
    return env.get_template("base.html.j2").render(book=book, css=css,
                                                   charts=draw_charts(book, charts_dir))


def write_html(html_or_book: str | dict, path: str | os.PathLike) -> Path:
    """Write the report's HTML; accepts rendered HTML or the playbook model (rendered first)."""
    html = html_or_book if isinstance(html_or_book, str) else render_html(html_or_book)
    return atomic_write_text(path, html)


def write_pdf(html: str, path: str | os.PathLike) -> Path:
    """A4 PDF with embedded (subset) fonts. Glyphs the installed fonts lack (emoji, rare
    scripts) print as boxes instead of failing the render."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return atomic_write_bytes(path, pdf)
