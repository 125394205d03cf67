"""The `auditor` command line.

Each subcommand lives in `auditor/commands/<name>.py` with a `register(subparsers)`
function; this module only wires them up and turns user errors into one line on
stderr and a non-zero exit (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from auditor import __version__
from auditor.errors import AuditInterrupted, AuditorError

# Modules under auditor.commands, in the order `auditor --help` lists them.
COMMAND_MODULES: list[str] = [
    "audit",
    "report",
    "review",
    "suites",
    "judge",
    "models",
    "doctor",
    "schedule",
    "history",
]


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (what is wrong and where to look), exit 2; subcommands inherit it."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="auditor",
        description="Audit a suspected distilled copy of a model for lost safety guardrails.",
    )
    parser.add_argument("--version", action="version", version=f"distill-auditor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"auditor.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"auditor.commands.{name}":
                raise
            continue  # a command module not present in this checkout
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `auditor` console script (argv None: this process is the command itself)."""
    code = _main(argv)
    if argv is None:
        # Exiting: skip the interpreter's final garbage collection over Inspect's and pandas' objects,
        # which took 5 s after an interrupted audit on a loaded 2-core machine (the logs are already written).
        import gc

        gc.freeze()
    return code


def _main(argv: list[str] | None) -> int:
    os.environ.setdefault("INSPECT_DISPLAY", "plain")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line usage error (Parser.error): a code, not an exception
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = args.func(args)
    except AuditInterrupted as exc:
        print(f"auditor: {exc}", file=sys.stderr)
        return exc.exit_code
    except AuditorError as exc:
        print(f"auditor: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # output piped into e.g. `head`, which closed early: not an error of the audit.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        # a folder that cannot be written, a full disk, a file that cannot be read: the system's reason, one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"auditor: error: {where}{exc.strerror or exc}; check the path, its permissions and free space", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # outside an audit's model calls (an audit raises AuditInterrupted with its count)
        print("auditor: interrupted; nothing written so far is lost: rerun the same command to resume", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
