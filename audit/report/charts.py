"""The playbook's charts: small pure functions from plain numbers to SVG text.

Why this shape: charts are inlined into one self-contained HTML file and its PDF, so each function
takes lists/dicts (as they sit in metrics.json / playbook.json) and returns SVG text; nothing
touches pyplot's global figure state, so charts can be drawn from threads or notebooks without
leaking figures. SVG output is deterministic (fixed hash salt, no date in the metadata), so a
re-run of the same audit produces byte-identical charts. Customer text never goes into a chart.
"""
from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from audit.common.safeio import atomic_write_text
from audit.textmodel.labels import SENTIMENTS

# A restrained consultancy palette: one dark ink, one accent, muted sentiment colours.
INK = "#1F2A3A"
NAVY = "#1F3A5F"
TEAL = "#2A7F8F"
AMBER = "#D98E04"
GREY = "#9AA3AD"
LIGHT = "#E6E9ED"
NEGATIVE = "#B23A48"
NEUTRAL = "#BFC5CC"
POSITIVE = "#3C8D5A"
SENTIMENT_COLOURS = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WIDTH_IN = 6.7  # the A4 text column at 20 mm margins

VOLUME_CMAP = LinearSegmentedColormap.from_list("volume", ["#F4F6F9", "#9DB4CF", NAVY])
SHARE_CMAP = LinearSegmentedColormap.from_list("share", [NEGATIVE, "#F2E3C6", TEAL])

RC = {
    "svg.hashsalt": "social-audit",   # stable clip-path ids
    "svg.fonttype": "none",           # text stays text: small, selectable, styled by the page
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.edgecolor": GREY,
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlecolor": INK,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "figure.dpi": 100,
}


def _chart(draw: Callable[..., str]) -> Callable[..., str]:
    """Run a chart function under the house style: rcParams are read when axes are made and when
    the SVG is written, so the whole call runs inside one (temporary, restored) rc context."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> str:
        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)
    return wrapper


def _figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width_in, height_in), layout="constrained")


def _svg(fig: Figure) -> str:
    """SVG text without the XML prolog (so it inlines into HTML) and without a date."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _empty(fig: Figure, title: str, message: str = "No data in this period") -> str:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", color=GREY, transform=ax.transAxes)
    return _svg(fig)


def save(svg: str, directory: str | os.PathLike, name: str) -> Path:
    """Write ``directory/NAME.svg`` atomically (a half-written chart never replaces a good one)."""
    return atomic_write_text(Path(directory) / f"{name}.svg", svg)


def _legend(fig: Figure, handles=None, labels=None) -> None:
    """One legend placement for every chart: under the plot, clear of the left-aligned title."""
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), fontsize=7.5)


def _bar_labels(ax, bars, values: Sequence[float], fmt) -> None:
    for bar, value in zip(bars, values):
        ax.annotate(fmt(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7.5, color=INK)


def _finish_bars(fig: Figure, ax, y, names: Sequence[str], title: str, *, xmax: float, percent: bool) -> str:
    """The shared frame of the horizontal bar charts: labels on the left, no spine, legend."""
    ax.set_yticks(y, names)
    ax.set_xlim(0, xmax)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title)
    _legend(fig)
    return _svg(fig)


def _pct(value: float) -> str:
    return f"{value:.0%}" if value >= 0.01 or value == 0 else "<1%"


@_chart
def frt_distribution(labels: Sequence[str], shares: Sequence[float], *,
                     title: str = "Time to first response",
                     highlight: int | None = None) -> str:
    """Share of customer conversations per first-response bucket (the last is usually 'never')."""
    fig = _figure(2.4)
    if not labels or not any(shares):
        return _empty(fig, title)
    ax = fig.add_subplot()
    colours = [NEGATIVE if "never" in label.lower() or "no " in label.lower() else NAVY
               for label in labels]
    if highlight is not None:
        colours[highlight] = TEAL
    bars = ax.bar(range(len(labels)), shares, color=colours, width=0.65)
    _bar_labels(ax, bars, shares, _pct)
    ax.set_xticks(range(len(labels)), labels)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, max(shares) * 1.18)
    ax.set_ylabel("Share of conversations")
    ax.set_title(title)
    ax.grid(axis="y", color=LIGHT, linewidth=0.6)
    ax.set_axisbelow(True)
    return _svg(fig)


@_chart
def heatmap(matrix: Sequence[Sequence[float | None]], *, title: str, value_label: str,
            kind: str = "count", tz: str = "UTC") -> str:
    """Weekday x hour grid (7 x 24) on the clock of ``tz`` (the run's time zone, named on the
    axis). ``kind='share'`` uses a red-to-teal scale fixed at 0-100% so two brands' grids
    compare; empty cells (no contacts) are drawn light grey."""
    fig = _figure(2.5)
    values = np.array([[np.nan if v is None else float(v) for v in row] for row in matrix])
    if values.shape != (7, 24) or np.all(np.isnan(values)):
        return _empty(fig, title)
    ax = fig.add_subplot()
    if kind == "share":
        cmap, norm, fmt = SHARE_CMAP.with_extremes(bad=LIGHT), Normalize(0, 1), PercentFormatter(1.0, 0)
    else:
        cmap = VOLUME_CMAP.with_extremes(bad=LIGHT)
        norm, fmt = Normalize(0, max(np.nanmax(values), 1e-9)), None
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto",
                      interpolation="nearest")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xticks(np.arange(-0.5, 24, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, 7, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"Hour of day ({tz})")
    ax.set_title(title)
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, format=fmt)
    bar.set_label(value_label)
    bar.outline.set_visible(False)
    return _svg(fig)


@_chart
def sentiment_mix(groups: Sequence[Mapping[str, object]], *,
                  title: str = "Sentiment of customer posts") -> str:
    """One 100% horizontal bar per group, in the order given (a list, because JSON objects lose
    their order): each group is {"group": name, "negative": share, "neutral": ..., "positive": ...}."""
    fig = _figure(0.7 + 0.38 * max(1, len(groups)))
    if not groups:
        return _empty(fig, title)
    ax = fig.add_subplot()
    names = [str(g["group"]) for g in groups]
    y = np.arange(len(names))[::-1]          # first group on top
    left = np.zeros(len(names))
    for label, colour in SENTIMENT_COLOURS.items():
        widths = np.array([float(g.get(label, 0.0) or 0.0) for g in groups])
        ax.barh(y, widths, left=left, color=colour, height=0.6, label=label.capitalize())
        for yi, x0, w in zip(y, left, widths):
            if w >= 0.06:
                ax.text(x0 + w / 2, yi, _pct(w), ha="center", va="center", fontsize=7.5,
                        color="white" if label != "neutral" else INK)
        left += widths
    return _finish_bars(fig, ax, y, names, title, xmax=1.0, percent=True)


@_chart
def sentiment_trend(periods: Sequence[str], shares: Mapping[str, Sequence[float]],
                    volumes: Sequence[float] | None = None, *,
                    title: str = "Weekly sentiment of customer posts") -> str:
    """Stacked weekly shares (negative at the bottom, where a rise is easiest to see), with the
    weekly volume as a thin line on a second axis when given."""
    fig = _figure(2.4)
    if not periods:
        return _empty(fig, title)
    ax = fig.add_subplot()
    x = np.arange(len(periods))
    order = [k for k in SENTIMENTS if k in shares]
    ax.stackplot(x, *[np.asarray(shares[k], dtype=float) for k in order],
                 colors=[SENTIMENT_COLOURS[k] for k in order],
                 labels=[k.capitalize() for k in order], alpha=0.95)
    ax.set_ylim(0, 1)
    ax.set_xlim(0, max(len(periods) - 1, 1))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    step = max(1, math.ceil(len(periods) / 8))
    ax.set_xticks(x[::step], [periods[i] for i in range(0, len(periods), step)])
    ax.set_ylabel("Share of posts")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if volumes is not None and len(volumes) == len(periods):
        ax2 = ax.twinx()
        (line,) = ax2.plot(x, volumes, color=INK, linewidth=1.2, label="Posts per week")
        ax2.set_ylim(0, max(max(volumes), 1) * 1.15)
        ax2.set_ylabel("Posts per week")
        ax2.spines["right"].set_visible(True)
        ax2.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        handles, labels = handles + [line], labels + ["Posts per week"]
    _legend(fig, handles, labels)
    return _svg(fig)


@_chart
def dimension_scores(names: Sequence[str], scores: Sequence[float],
                     targets: Sequence[float | None] | None = None, *, maximum: float = 1.0,
                     title: str = "Maturity by dimension") -> str:
    """Horizontal bars of each dimension's score with a marker at the next level's target, so the
    gap reads as distance."""
    fig = _figure(0.8 + 0.36 * max(1, len(names)))
    if not names:
        return _empty(fig, title)
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    ax.barh(y, [maximum] * len(names), color=LIGHT, height=0.55)
    ax.barh(y, scores, color=NAVY, height=0.55, label="Current score")
    for yi, s in zip(y, scores):
        ax.text(min(s, maximum) + maximum * 0.01, yi, f"{s:.0f}" if maximum > 1 else _pct(s),
                va="center", fontsize=7.5, color=INK)
    if targets is not None:
        ty = [yi for yi, t in zip(y, targets) if t is not None]
        tv = [t for t in targets if t is not None]
        ax.scatter(tv, ty, marker="|", s=260, linewidths=2.2, color=AMBER, zorder=3,
                   label="Next-level target")
    return _finish_bars(fig, ax, y, names, title, xmax=maximum * 1.08, percent=maximum == 1.0)


@_chart
def staffing(agents: Sequence[int], cover: Sequence[int],
             arrivals: Sequence[float] | None = None, *,
             title: str = "Agents needed per hour of the week") -> str:
    """Erlang C head count and the rostered cover (with back-up) across the 168 hours, with the
    arrival rate behind them; day boundaries marked so a roster planner can read it."""
    fig = _figure(2.5)
    if len(agents) != 168 or not any(cover):
        return _empty(fig, title, "No contacts to staff for")
    ax = fig.add_subplot()
    x = np.arange(169)
    ax.stairs(cover, x, color=AMBER, linewidth=1.4, label="Rostered (with back-up)", baseline=None)
    ax.stairs(agents, x, color=NAVY, linewidth=1.4, fill=True, alpha=0.85,
              label="Erlang C minimum")
    ax.set_ylim(0, max(cover) + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Agents")
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(12, 168, 24), WEEKDAYS)
    ax.tick_params(axis="x", length=0)
    for d in range(1, 7):
        ax.axvline(d * 24, color=LIGHT, linewidth=0.8, zorder=0)
    handles, labels = ax.get_legend_handles_labels()
    if arrivals is not None and any(arrivals):
        ax2 = ax.twinx()
        (line,) = ax2.plot(np.arange(168) + 0.5, arrivals, color=TEAL, linewidth=0.9, alpha=0.9)
        ax2.set_ylim(0, max(arrivals) * 1.2)
        ax2.set_ylabel("Contacts per hour")
        ax2.spines["right"].set_visible(True)
        ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        handles, labels = handles + [line], labels + ["Contacts per hour (average week)"]
    _legend(fig, handles, labels)
    ax.set_title(title)
    return _svg(fig)


@_chart
def monthly_trends(months: Sequence[str], response_rate: Sequence[float | None],
                   negative_share: Sequence[float | None], volumes: Sequence[int],
                   partial: Sequence[bool] = (), *, title: str = "Month by month") -> str:
    """Response rate and negative share per month as lines over the monthly volume (light bars);
    partial months (the export starts or ends inside them) are marked with an asterisk."""
    fig = _figure(2.4)
    if len(months) < 2:
        return _empty(fig, title, "Fewer than two months of data")
    ax = fig.add_subplot()
    x = np.arange(len(months))
    ax2 = ax.twinx()
    ax2.bar(x, volumes, color=LIGHT, width=0.6, label="Customer posts", zorder=0)
    ax2.set_ylim(0, max(max(volumes), 1) * 1.6)
    ax2.set_ylabel("Customer posts")
    ax2.spines["right"].set_visible(True)
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    nan = [np.nan if v is None else float(v) for v in response_rate]
    neg = [np.nan if v is None else float(v) for v in negative_share]
    ax.plot(x, nan, color=TEAL, marker="o", linewidth=1.6, label="Response rate")
    ax.plot(x, neg, color=NEGATIVE, marker="o", linewidth=1.6, label="Negative customer posts")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    labels = [m + ("*" if i < len(partial) and partial[i] else "") for i, m in enumerate(months)]
    step = max(1, math.ceil(len(months) / 12))
    ax.set_xticks(x[::step], labels[::step])
    ax.set_title(title)
    handles, names = ax.get_legend_handles_labels()
    bars, bar_names = ax2.get_legend_handles_labels()
    _legend(fig, handles + bars, names + bar_names)
    return _svg(fig)


# The chart kinds a playbook may ask for, by name (render looks charts up only here).
KINDS: dict[str, Callable[..., str]] = {
    "frt_distribution": frt_distribution,
    "heatmap": heatmap,
    "sentiment_mix": sentiment_mix,
    "sentiment_trend": sentiment_trend,
    "dimension_scores": dimension_scores,
    "staffing": staffing,
    "monthly_trends": monthly_trends,
}


@_chart
def topic_volumes(names: Sequence[str], posts: Sequence[int], complaints: Sequence[int], *,
                  title: str = "Customer posts by topic") -> str:
    """Horizontal bars of posts per topic, the complaints among them drawn darker, so a topic's
    size and how much of it is complaints read at once."""
    fig = _figure(0.8 + 0.32 * max(1, len(names)))
    if not names:
        return _empty(fig, title)
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    ax.barh(y, posts, color=LIGHT, height=0.6, label="Posts")
    ax.barh(y, complaints, color=NAVY, height=0.6, label="Complaints")
    for yi, n in zip(y, posts):
        ax.text(n, yi, f" {n:,}", va="center", fontsize=7.5, color=INK)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish_bars(fig, ax, y, [n if len(n) <= 40 else n[:39] + "…" for n in names], title,
                        xmax=max(posts) * 1.12 or 1, percent=False)
