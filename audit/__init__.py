"""social-audit: audit an organisation's social customer service and write its playbook.

The folders are the flow, bottom up; each layer imports only the layers above it in this list
(``tests/common/test_layers.py`` checks it):

    common/         errors, safe file writing, the run folder's layout
    reading/        an export -> normalised messages (every row accepted or quarantined)
    conversations/  threads, the analysis window, what reply text says (voice)
    textmodel/      the bundled encoder: sentiment, triage, embeddings (training/ beneath it)
    topics/         what customers write about
    metrics/        the service measured: the metric registry and its helpers
    grading/        the maturity grade from a rubric kept as data
    report/         the playbook model, HTML/PDF, workbook, progress report
    run/            a run's configuration, stages, papermill notebooks, the CLI

Apart from a run: ``evaluation/`` (measuring heuristics and models on labelled data) and
``demo/`` (the synthetic sample clients). See docs/ARCHITECTURE.md.
"""
__version__ = "0.1.0"
