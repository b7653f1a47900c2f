"""Layer 7, the deliverable: the playbook's content (``playbook/``, a module per section), its charts,
HTML and PDF (``render``, ``templates`` = ``playbook_templates/``), the workbook, and the progress report
between two audits (``progress``)."""
