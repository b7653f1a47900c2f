"""One figure, one value: every number the playbook quotes twice reads the same, in one unit.

A consultant read a playbook that said '13 negative posts were left without a reply' above 'No
complaints went unanswered', 'from 89.6% to 90%' in the roadmap beside '90%' in the KPI table,
'0 replies were copies of a template' as a gap, and the triage matrix adopted three times. The
checks below read the rendered HTML of two real-data playbooks (two brands of the TWCS sample)
and the two demo clients; each check is first shown to fail on the consultant's text.
"""
from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import pytest

from audit.report import format as fmt
from audit.report import render
from audit.report.playbook.figures import UNITS_NOTE
from tests.helpers import playbooks

FIG = re.compile(r'<span data-figure="([^"]+)">(.*?)</span>')
VALUE = r"(<1%|\d[\d,.]*%|\d[\d,.]* (?:s|min|h|days)|\d[\d,]*|No|–)"
#: the same labelled quantity, wherever a sentence or a table row states it -> the figure key
LABELLED = {
    "response_rate": [rf"{VALUE} of customer conversations get a reply",
                      rf"Customer conversations answered {VALUE}",
                      rf"{VALUE} Conversations answered"],
    "first_response_median_min": [rf"get a reply, the median first reply takes {VALUE}",
                                  rf"median customer waits {VALUE} for",
                                  rf"Half of the answered conversations waited longer than {VALUE}",
                                  rf"against {VALUE} overall",
                                  rf"Median first response {VALUE}", rf"{VALUE} Median first reply"],
    "canned_share": [rf"{VALUE} of replies reuse a template", rf"{VALUE} of replies are copies of a template",
                     rf"Canned replies {VALUE}", rf"canned replies from {VALUE}"],
    "signoff_share": [rf"Today {VALUE} of replies are signed", rf"Replies signed by an agent {VALUE}"],
    "unanswered_complaint_conversations": [rf"{VALUE} complaint conversations? went unanswered",
                                           rf"{VALUE} Unanswered complaint conversations",
                                           rf"{VALUE} of [\d,]+ complaint conversations? \(\S+\) (?:was|were) never"],
    "unanswered_negative_posts": [rf"{VALUE} negative customer posts? had no brand reply"],
}
#: any count of what went unanswered, whatever its noun: the noun must be one of the report's units
UNANSWERED = re.compile(r"(\d[\d,]*|No) ([a-z -]+?) (?:went unanswered|(?:was|were) left without a reply|"
                        r"had no brand reply|got no reply)")
UNITS = {"complaint conversation", "complaint conversations", "negative customer post",
         "negative customer posts", "customer conversation", "customer conversations"}
ZERO_COST = re.compile(r"(?<![\d.,])0 (?:replies|reply|customer conversations|answered conversations|more) "
                       r"(?:was|were|waited|kept)")


def visible_text(html: str) -> str:
    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def tagged_figures(html: str) -> dict[str, set[str]]:
    """Every figure the HTML tags with its key -> the texts it is printed as."""
    out: dict[str, set[str]] = defaultdict(set)
    for key, text in FIG.findall(html):
        out[key].add(unescape(text))
    return dict(out)


def labelled_values(text: str) -> dict[str, set[str]]:
    """Each labelled quantity -> the values the text prints it with ('No' counts as 0)."""
    out: dict[str, set[str]] = defaultdict(set)
    for name, patterns in LABELLED.items():
        for pattern in patterns:
            for value in re.findall(pattern, text):
                out[name].add("0" if value == "No" else value)
    return dict(out)


def unit_problems(text: str) -> list[str]:
    """Counts of the unanswered in a unit the report does not define ('13 negative posts',
    'No complaints'), and the two units side by side with different counts but no word on how
    they differ."""
    bad = [f"{n} {noun}" for n, noun in UNANSWERED.findall(text)
           if noun not in UNITS and not noun.startswith("of ")]
    values = labelled_values(text)
    complaint = values.get("unanswered_complaint_conversations", set())
    negative = values.get("unanswered_negative_posts", set())
    if complaint and negative and complaint != negative and UNITS_NOTE not in text:
        bad.append(f"complaint conversations {sorted(complaint)} beside negative posts {sorted(negative)}, unexplained")
    return bad


def roadmap_problems(book: dict, text: str) -> list[str]:
    """A roadmap that quotes today's figure of a metric otherwise than the report's one text for
    it, or adopts the same thing (the triage matrix, the roster) in more than one action."""
    bad = []
    for item in book["_todo"]:
        title = re.sub(r"\s*\(min\)", "", str(item["title"])).lower()
        figure = book["figures"].get(str(item["metric"]))
        for quoted in re.findall(rf"(?:Raise|Cut) {re.escape(title)} from {VALUE}", text):
            if figure and quoted != figure["text"]:
                bad.append(f"{title}: roadmap says {quoted}, the report {figure['text']}")
    actions = [row["action"] for phase in book["roadmap"]["phases"] for row in phase["actions"]["rows"]]
    for thing in ("triage matrix", "roster"):
        adopted = [a for a in actions if thing in a.lower()]
        if len(adopted) > 1:
            bad.append(f"{thing} in {len(adopted)} actions: {adopted}")
    return bad


def score_problems(book: dict) -> list[str]:
    """A score tile beside a level it does not explain (a score near 100 at Strategic)."""
    tile = next(t for t in book["executive_summary"]["tiles"] if t["label"].startswith("Maturity score"))
    nxt = book["meta"]["next_level"]
    if nxt and "required criteria" not in tile["note"]:
        return [f"score {tile['value']} / {tile['note']!r} beside {book['meta']['level']['label']}, unexplained"]
    return []


# --- each check fails on the consultant's text --------------------------------------------------
def test_the_checks_catch_the_contradictions_the_consultant_found():
    text = ("Acme is Strategic: 90% of customer conversations get a reply. Customer conversations answered "
            "89.6% (87%–92%). 13 negative posts were left without a reply. No complaints went unanswered in "
            "this period. 0 replies were copies of a template.")
    assert labelled_values(text)["response_rate"] == {"90%", "89.6%"}
    assert unit_problems(text) == ["13 negative posts", "No complaints"]
    assert ZERO_COST.search(text)
    two_units = "No complaint conversation went unanswered. 13 negative customer posts had no brand reply after them."
    assert labelled_values(two_units) == {"unanswered_complaint_conversations": {"0"},
                                          "unanswered_negative_posts": {"13"}}
    assert len(unit_problems(two_units)) == 1 and not unit_problems(f"{two_units} {UNITS_NOTE}")
    book = {"_todo": [{"title": "Response rate", "metric": "response_rate"}],
            "figures": {"response_rate": {"text": "90%"}},
            "roadmap": {"phases": [{"actions": {"rows": [{"action": "Adopt the triage matrix"},
                                                          {"action": "Route every post with the triage matrix"}]}}]}}
    assert len(roadmap_problems(book, "Raise response rate from 89.6% to 90%")) == 2
    strategic = {"executive_summary": {"tiles": [{"label": "Maturity score (0-100)", "value": None,
                                                  "note": "about 100; not scored to the unit on this little data"}]},
                 "meta": {"next_level": {"label": "Cross-functional"}, "level": {"label": "Strategic"}}}
    assert score_problems(strategic)
    assert tagged_figures('<span data-figure="a">90%</span> <span data-figure="a">89.6%</span>') == {"a": {"90%", "89.6%"}}


# --- the rendered playbooks -------------------------------------------------------------------
CASES = [("real", c) for c in playbooks.REAL_CLIENTS] + [("demo", c) for c in playbooks.CLIENTS]


@pytest.fixture(scope="module", params=CASES, ids=[f"{kind}-{c}" for kind, c in CASES])
def rendered(request):
    kind, client = request.param
    book, metrics, grade = (playbooks.real if kind == "real" else playbooks.demo)(client)
    html = render.render_html(book)
    todo = (grade.get("next_level") or {})
    book = {**book, "_todo": [*todo.get("required", []), *todo.get("recommended", [])]}
    return book, metrics, html, visible_text(html)


def test_every_tagged_figure_reads_as_the_one_text_of_its_key(rendered):
    book, _, html, _ = rendered
    tagged = tagged_figures(html)
    assert {"response_rate", "first_response_median_min", "canned_share"} <= set(tagged)
    for key, texts in tagged.items():
        assert texts == {book["figures"][key]["text"]}, key


def test_every_figure_cell_of_the_model_renders_its_one_text(rendered):
    book = rendered[0]
    cells = []

    def walk(node):
        if isinstance(node, dict):
            if {"key", "value", "fmt", "digits"} <= set(node):
                cells.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk({k: v for k, v in book.items() if k != "figures"})
    assert len(cells) >= 10
    for cell in cells:
        assert fmt.figure(cell["value"], cell["fmt"], cell["digits"]) == book["figures"][cell["key"]]["text"]


def test_a_labelled_quantity_is_printed_with_one_value(rendered):
    book, _, _, text = rendered
    values = labelled_values(text)
    assert "response_rate" in values and "unanswered_complaint_conversations" in values
    for name, printed in values.items():
        assert len(printed) == 1, (name, printed)
        if name in book["figures"]:
            assert printed == {book["figures"][name]["text"]}, name


def test_counts_of_the_unanswered_name_their_unit_and_say_how_they_differ(rendered):
    assert unit_problems(rendered[3]) == []


def test_no_gap_is_costed_at_zero(rendered):
    book, _, _, text = rendered
    assert not ZERO_COST.search(text)
    assert all(not g["cost"].startswith("0 ") for g in book["executive_summary"]["gaps"])


def test_the_roadmap_quotes_the_reports_figures_and_adopts_each_thing_once(rendered):
    book, _, _, text = rendered
    assert roadmap_problems(book, text) == []


def test_the_score_beside_the_level_is_explained(rendered):
    assert score_problems(rendered[0]) == []


def test_the_monthly_table_covers_the_period_on_the_cover(rendered):
    book, metrics, _, _ = rendered
    months = metrics["trends"]["months"]
    if not metrics["trends"]["available"]:
        pytest.skip("under two months: no monthly table")
    period = book["meta"]["period"]
    assert sum(m["days"] for m in months) == period["days"]
    assert months[0]["month"] == period["start"][:7] and months[-1]["month"] == period["end"][:7]
