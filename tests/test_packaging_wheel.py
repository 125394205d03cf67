"""The package runs from any directory once installed from a wheel: no checkout, no AUDITOR_DATASETS.

Builds the wheel, installs it into a fresh virtual environment (its dependencies are
borrowed from the test environment through a .pth line, so nothing is downloaded but
the build backend), and runs `auditor suites`, `auditor audit --suite core` and
`inspect eval auditor/safeguards` from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import COMPLIANT_STAND_IN, REFUSAL, REPO_ROOT, write_jsonl


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh venv holding only the built wheel (dependencies visible through a .pth)."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("AUDITOR_DATASETS", "PYTHONPATH")}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root / "dist"), str(REPO_ROOT)], root, env)
    wheels = list((root / "dist").glob("distill_auditor-*.whl"))
    assert len(wheels) == 1
    venv = root / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], root, env)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheels[0])], root, env)
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, env).stdout.strip())
    # the test environment's packages (Inspect, pandas, ...) after the wheel's own, without its editable finder
    (purelib / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return {"root": root, "bin": venv / "bin", "env_marker": purelib}


def _env(installed: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AUDITOR_DATASETS", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{installed['bin']}{os.pathsep}{env.get('PATH', '')}"
    env["INSPECT_DISPLAY"] = "none"
    return env


def test_the_wheel_carries_the_suites_and_runs_outside_the_checkout(installed_wheel: dict[str, Path]) -> None:
    env, elsewhere = _env(installed_wheel), installed_wheel["root"]
    where = _run([str(installed_wheel["bin"] / "python"), "-c", "import auditor, auditor.suites.builtin as b; print(auditor.__file__); print(b.datasets_dir())"], elsewhere, env).stdout.split()
    assert str(REPO_ROOT) not in where[0] and where[1].startswith(str(installed_wheel["env_marker"])), where
    listing = _run([str(installed_wheel["bin"] / "auditor"), "suites"], elsewhere, env).stdout
    assert "core" in listing and "core-zh" in listing and "identity" in listing

    core = [json.loads(line) for line in (REPO_ROOT / "datasets" / "core_en.jsonl").read_text(encoding="utf-8").splitlines()]
    chosen = [row for row in core if row["category"] == core[0]["category"]][:8]
    original = write_jsonl(elsewhere / "original.jsonl", [{"id": r["id"], "response": REFUSAL if r["variant"] == "harmful" else "Here is a safe, helpful answer."} for r in chosen])
    suspect = write_jsonl(elsewhere / "suspect.jsonl", [{"id": r["id"], "response": COMPLIANT_STAND_IN if r["variant"] == "harmful" else "Here is a safe, helpful answer."} for r in chosen])
    out = elsewhere / "audit"
    _run([str(installed_wheel["bin"] / "auditor"), "audit", "--original", f"replay/{original}", "--suspect", f"replay/{suspect}",
          "--suite", "core", "--categories", core[0]["category"], "--limit", "8", "--out", str(out), "--display", "none"], Path("/"), env)
    report = json.loads((out / "report.json").read_text())
    assert len(report["samples"]) == 8

    logs = elsewhere / "inspect-logs"
    _run([str(installed_wheel["bin"] / "python"), "-m", "inspect_ai", "eval", "auditor/safeguards", "--model", f"replay/{original}",
          "-T", "suite=core", "-T", f"categories={core[0]['category']}", "--limit", "4", "--log-dir", str(logs)], Path("/"), env)
    assert list(logs.glob("*.eval"))
