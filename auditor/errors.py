"""One exception type for problems a user can fix.

The CLI turns an `AuditorError` into a single line on stderr and a non-zero exit,
so every message should say what is wrong, where, and what to do about it.
"""

from __future__ import annotations


class AuditorError(Exception):
    """A user-facing error: printed as one line, never as a traceback."""

    exit_code: int = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class SuiteError(AuditorError):
    """A suite file is unreadable or holds a bad record (file, line, field)."""


class ConfigError(AuditorError):
    """A model spec, key, option or config file is wrong."""


class AuditInterrupted(AuditorError):
    """Ctrl-C or SIGTERM stopped an audit; its finished samples are in the logs (exit 130, like a shell)."""

    exit_code = 130

    def __init__(self, kept: int) -> None:
        super().__init__(f"interrupted: {kept} samples kept; rerun the same command to resume")
        self.kept = kept
