"""The audit history: one SQLite file in the output folder, one row per finished audit.

SQLite because it ships with Python, needs no server and gives real transactions: an
audit and its per-category results are inserted in ONE transaction after the report is
written, so a crash (or a kill) at any point leaves either the whole audit recorded or
none of it — and an unrecorded audit is simply redone, resuming from its logs, by the
next pass. Readers (`auditor history`, the index page) never see half an audit.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    config_name TEXT NOT NULL,
    suspect TEXT NOT NULL,
    original TEXT NOT NULL,
    family TEXT NOT NULL,
    source TEXT NOT NULL,            -- 'fixed' or the discovery source's name
    reason TEXT NOT NULL,            -- why it was audited: new, suite changed, ...
    started_at TEXT NOT NULL,        -- ISO 8601, UTC
    finished_at TEXT NOT NULL,
    suite_version TEXT NOT NULL,
    judge TEXT NOT NULL,
    auditor_version TEXT NOT NULL,
    status TEXT NOT NULL,            -- 'complete', or 'with-errors' when some samples errored
    samples INTEGER NOT NULL,        -- paired samples
    errors INTEGER NOT NULL,         -- samples that errored for either model, plus unpaired ones
    verdict_counts TEXT NOT NULL,    -- JSON {verdict: number of categories}
    lost INTEGER NOT NULL,           -- categories with verdict 'lost'
    gated INTEGER NOT NULL,          -- 1 when this audit failed the config's fail_on gate
    report_path TEXT NOT NULL,       -- relative to the output folder
    log_dir TEXT NOT NULL            -- the suspect's Inspect logs, relative to the output folder
);
CREATE INDEX IF NOT EXISTS audits_by_suspect ON audits (config_name, suspect, original, finished_at);
CREATE TABLE IF NOT EXISTS category_results (
    audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    suite TEXT,
    category TEXT NOT NULL,
    variant TEXT,
    language TEXT,
    n INTEGER,
    original_rate REAL,
    suspect_rate REAL,
    delta REAL,
    p_adjusted REAL,
    verdict TEXT
);
CREATE INDEX IF NOT EXISTS category_results_by_audit ON category_results (audit_id);
"""

AUDIT_COLUMNS = (
    "config_name", "suspect", "original", "family", "source", "reason", "started_at", "finished_at",
    "suite_version", "judge", "auditor_version", "status", "samples", "errors", "verdict_counts",
    "lost", "gated", "report_path", "log_dir",
)
CATEGORY_COLUMNS = (
    "suite", "category", "variant", "language", "n", "original_rate", "suspect_rate", "delta", "p_adjusted", "verdict",
)


@dataclass
class CategoryResult:
    """One category's comparison in one audit (a row of `category_results`)."""

    category: str
    suite: str | None = None
    variant: str | None = None
    language: str | None = None
    n: int | None = None
    original_rate: float | None = None
    suspect_rate: float | None = None
    delta: float | None = None
    p_adjusted: float | None = None
    verdict: str | None = None


@dataclass
class AuditRecord:
    """One finished audit (a row of `audits`); `id` is set once recorded."""

    config_name: str
    suspect: str
    original: str
    family: str
    source: str
    reason: str
    started_at: str
    finished_at: str
    suite_version: str
    judge: str
    auditor_version: str
    status: str
    samples: int
    errors: int
    verdict_counts: dict[str, int]
    lost: int
    gated: bool
    report_path: str
    log_dir: str
    id: int | None = None
    categories: list[CategoryResult] = field(default_factory=list)


class HistoryError(AuditorError):
    """The history file exists but is not one this version can read."""


class History:
    """Read and append audits in `<output>/history.sqlite`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT) below
        self.conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise HistoryError(f"{path}: not a readable audit history ({exc}); move the file aside to start a new history") from None

    def _prepare(self) -> None:
        path = self.path
        self.conn.execute("PRAGMA foreign_keys = ON")
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{path} was written by a newer distill-auditor (schema {version}); upgrade to read it")
        if version < SCHEMA_VERSION:
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> "_Transaction":
        return _Transaction(self.conn)

    def record(self, audit: AuditRecord) -> int:
        """Insert the audit and its category results atomically; returns the new audit id."""
        values = {name: getattr(audit, name) for name in AUDIT_COLUMNS}
        values["verdict_counts"] = json.dumps(audit.verdict_counts, sort_keys=True)
        values["gated"] = int(bool(audit.gated))
        with self.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO audits ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})",
                [values[name] for name in AUDIT_COLUMNS],
            )
            audit_id = int(cursor.lastrowid or 0)
            self.conn.executemany(
                f"INSERT INTO category_results (audit_id, {', '.join(CATEGORY_COLUMNS)}) "
                f"VALUES (?, {', '.join('?' for _ in CATEGORY_COLUMNS)})",
                [[audit_id, *(getattr(c, name) for name in CATEGORY_COLUMNS)] for c in audit.categories],
            )
        audit.id = audit_id
        return audit_id

    def latest(self, config_name: str, suspect: str, original: str) -> AuditRecord | None:
        """The most recent recorded audit of this suspect against this original."""
        row = self.conn.execute(
            "SELECT * FROM audits WHERE config_name = ? AND suspect = ? AND original = ? ORDER BY finished_at DESC, id DESC LIMIT 1",
            (config_name, suspect, original),
        ).fetchone()
        return _audit(row) if row else None

    def count(self, config_name: str, suspect: str) -> int:
        """How many audits of this suspect are recorded (names the next audit's folders)."""
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM audits WHERE config_name = ? AND suspect = ?", (config_name, suspect)
        ).fetchone()[0])

    def audits(self, config_name: str | None = None, limit: int | None = None, with_categories: bool = True) -> list[AuditRecord]:
        """Recorded audits, newest first."""
        query = "SELECT * FROM audits"
        params: list[Any] = []
        if config_name is not None:
            query += " WHERE config_name = ?"
            params.append(config_name)
        query += " ORDER BY finished_at DESC, id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        records = [_audit(row) for row in self.conn.execute(query, params)]
        if with_categories and records:
            by_id = {r.id: r for r in records}
            marks = ", ".join("?" for _ in by_id)
            for row in self.conn.execute(f"SELECT * FROM category_results WHERE audit_id IN ({marks}) ORDER BY rowid", list(by_id)):
                by_id[row["audit_id"]].categories.append(CategoryResult(**{c: row[c] for c in CATEGORY_COLUMNS}))
        return records


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _audit(row: sqlite3.Row) -> AuditRecord:
    values = {name: row[name] for name in AUDIT_COLUMNS}
    values["verdict_counts"] = json.loads(values["verdict_counts"] or "{}")
    values["gated"] = bool(values["gated"])
    return AuditRecord(id=row["id"], **values)
