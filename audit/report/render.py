"""Turn the playbook model into one self-contained HTML file and its PDF.

Why one Jinja environment with autoescape everywhere and StrictUndefined: the playbook quotes
customers, and customer text is untrusted. Everything is escaped; the only ``Markup`` in a page
is the stylesheet (a file we ship) and the chart SVGs we draw ourselves from numbers. A missing
key fails the render instead of printing an empty cell into a client report.
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from importlib import resources
from pathlib import Path

import matplotlib
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from audit.common.safeio import atomic_write_bytes, atomic_write_text
from audit.report import charts
from audit.report.format import duration, figure, interval, minutes, number, percent

#: the templates folder (``playbook_templates/`` in the checkout, package data in a wheel)
TEMPLATES = Path(str(resources.files("audit.report.templates")))
STYLESHEET = "playbook.css"
def environment() -> Environment:
    """The one Jinja environment: every template autoescaped, undefined names are errors."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(percent=percent, duration=duration, minutes=minutes, number=number,
                       figure=figure, interval=interval)
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


def render_html(book: dict, charts_dir: str | os.PathLike | None = None,
                template: str = "base.html.j2") -> str:
    """The whole report as one HTML string: CSS and charts inline, no scripts, no network.
    ``template``: the page (the playbook; ``compare.html.j2``, the progress report, extends it)."""
    env = environment()
    css = Markup((TEMPLATES / STYLESHEET).read_text(encoding="utf-8"))  # shipped file, no data
    return env.get_template(template).render(book=book, css=css,
                                                   charts=draw_charts(book, charts_dir))


def write_html(html_or_book: str | dict, path: str | os.PathLike) -> Path:
    """Write the report's HTML; accepts rendered HTML or the playbook model (rendered first)."""
    html = html_or_book if isinstance(html_or_book, str) else render_html(html_or_book)
    return atomic_write_text(path, html)


# The PDF embeds the DejaVu files matplotlib ships, so it looks the same on every machine
# whatever fonts are installed (the HTML names the same families and needs no font files).
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {
    "DejaVu Sans": ("DejaVuSans", "-Bold", "-Oblique", "-BoldOblique"),
    "DejaVu Serif": ("DejaVuSerif", "-Bold", "-Italic", "-BoldItalic"),
    "DejaVu Sans Mono": ("DejaVuSansMono", "-Bold", "-Oblique", "-BoldOblique"),
}


def font_faces() -> str:
    """@font-face rules pointing at the bundled font files (PDF only)."""
    rules = []
    for family, (stem, bold, italic, bold_italic) in FONT_FILES.items():
        for suffix, weight, style in (("", "normal", "normal"), (bold, "bold", "normal"),
                                      (italic, "normal", "italic"), (bold_italic, "bold", "italic")):
            path = FONT_DIR / f"{stem}{suffix}.ttf"
            if path.exists():
                rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                             f'font-style: {style}; src: url("{path.as_uri()}"); }}')
    return "\n".join(rules)


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    path = FONT_DIR / "DejaVuSans.ttf"
    return frozenset(TTFont(path, lazy=True).getBestCmap()) if path.exists() else frozenset()


def _printable(ch: str) -> str:
    """A symbol the font lacks (emoji) becomes its Unicode name, '[pouting face]'; modifiers
    and joiners that only shape emoji (skin tones, ZWJ, variation selectors) are dropped."""
    if unicodedata.category(ch) == "So":
        return f"[{unicodedata.name(ch, 'symbol').lower()}]"
    return ""


def pdf_text(html: str) -> str:
    """Replace symbols the body font cannot draw. Why: each missing glyph prints as an empty box,
    and several different ones make the PDF's text layer unreadable to some extractors (pypdf).
    Only emoji-like characters (symbols, modifiers, format marks) are touched; letters of other
    scripts are left to the system's font fallback."""
    covered = _covered()
    if not covered:
        return html
    missing = {ch for ch in set(html) if ord(ch) > 0x2000 and ord(ch) not in covered
               and unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf")}
    if not missing:
        return html
    return "".join(_printable(ch) if ch in missing else ch for ch in html)


def pdf_bytes(html: str) -> bytes:
    """A4 PDF with the bundled fonts embedded (subset); emoji become their names (see pdf_text)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML(string=pdf_text(html), base_url=str(TEMPLATES)).write_pdf(
        stylesheets=[CSS(string=font_faces(), font_config=fonts)], font_config=fonts)


def write_pdf(html: str, path: str | os.PathLike) -> Path:
    """The PDF of :func:`pdf_bytes`, written atomically."""
    return atomic_write_bytes(path, pdf_bytes(html))
