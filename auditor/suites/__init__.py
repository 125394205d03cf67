"""Suites: the matched harmful/benign prompts an audit asks (format, loading, built-ins, importers)."""

from auditor.suites.schema import SuiteRecord
from auditor.suites.loader import load_suite, read_suite_file
from auditor.suites.builtin import builtin_suites, resolve_suite

__all__ = ["SuiteRecord", "load_suite", "read_suite_file", "builtin_suites", "resolve_suite"]
