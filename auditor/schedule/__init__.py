"""Scheduled audits: watch for new copies of a model, audit each against the original, keep history.

One config file (TOML, `config.py`) names the original, fixed suspects and discovery
sources; a pass (`runner.py`) discovers models (`discovery.py`), audits every new or due
one through `auditor.audit.run_audit`, records each audit in SQLite (`history.py`),
rewrites the index page (`index.py`) and notifies on a lost safeguard (`notify.py`).
`serve.py` repeats passes on the config's cron schedule.
"""
