"""social-audit: audit an organisation's social customer service and write its playbook.

Stages (one module each): ingest -> threads -> sentiment/intent -> metrics/peers -> maturity ->
playbook -> render. ``audit.pipeline`` runs them as papermill notebooks; ``audit.cli`` is the
``social-audit`` command. See docs/ARCHITECTURE.md.
"""
__version__ = "0.1.0"
