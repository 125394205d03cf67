"""`auditor --help` and `auditor suites` start fast: they import no Inspect, pandas or numpy (measured times: README).

Wall-clock limits are flaky on a shared machine, so the tests check the cause of a slow
start (heavy imports) and keep a generous time bound only as a backstop.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

HEAVY = ("inspect_ai", "pandas", "numpy", "jinja2", "llama_cpp", "scipy")
PROBE = (
    "import sys\n"
    "from auditor.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('HEAVY=' + ','.join(m for m in %r if m in sys.modules), file=sys.stderr)\n"
    "sys.exit(code)\n" % (HEAVY,)
)


@pytest.mark.parametrize("args", [["--help"], ["suites"], ["audit", "--help"], ["schedule", "--help"]])
def test_help_and_suites_import_nothing_heavy(args: list[str]) -> None:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "HEAVY=\n" in result.stderr or result.stderr.rstrip().endswith("HEAVY="), result.stderr
    assert elapsed < 10  # backstop only; README states the measured times
    if args == ["suites"]:
        assert "core" in result.stdout and "jailbreak variants" in result.stdout and "roleplay_persona" in result.stdout
