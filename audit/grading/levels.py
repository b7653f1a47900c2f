"""The four maturity levels, in order, with the title and description the report prints: the one
place that names them, so the rubric, the grade and the playbook cannot disagree on a level."""
from __future__ import annotations

from typing import Literal

LEVELS = ("passive", "active", "strategic", "cross_functional")
GRADED_LEVELS = LEVELS[1:]
Level = Literal["active", "strategic", "cross_functional"]  # the graded levels, as a rubric spells them
LEVEL_TITLES = {"passive": "Passive (invisible)", "active": "Active", "strategic": "Strategic",
                "cross_functional": "Cross-functional"}
LEVEL_DESCRIPTIONS = {
    "passive": "Little or no service in social channels: complaints unanswered, no monitoring, "
               "few and slow replies.",
    "active": "Responsive: answers questions and complaints, thanks and cultivates advocates, "
              "catches negative issues early and turns them around.",
    "strategic": "Service deliberately separated from marketing: a dedicated service handle, cases "
                 "moved to private channels, response-time standards that are met, around-the-clock "
                 "coverage.",
    "cross_functional": "Integrated across the organisation: triage and routing to support, customer "
                        "service and marketing, escalation policies, one voice across phone, web and "
                        "social, follow-up until satisfied, feedback into training and products.",
}
