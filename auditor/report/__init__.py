"""Turning paired samples into the audit's outputs (report.json, and the human reports)."""

from auditor.report.writer import write_reports

__all__ = ["write_reports"]
