"""Layer 6, grading: the maturity rubric (kept as data in ``rubrics/``, checked by ``rubric``), the
interview ``questionnaire``, and the grade: each criterion judged (``criteria``), the levels gated
(``gates``, names in ``levels``), its ``confidence``, all put together by ``grader``.

The entry points a run calls are exported here: ``grade``, and ``load_rubric`` /
``load_questionnaire`` to check the user-edited files before any stage runs.
"""
from audit.grading.grader import grade
from audit.grading.questionnaire import load_questionnaire
from audit.grading.rubric import load_rubric

__all__ = ["grade", "load_questionnaire", "load_rubric"]
