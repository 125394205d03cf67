"""Building the report from logs: two replay models x 10,000 samples, beside Inspect's samples_df.

What is timed (the target is the first figure: under 8 s on 2 cores, issue 13):

- report_cli_s: `auditor report LOG_DIR ...` in a fresh process (interpreter start, imports,
  reading both models' logs, pairing, statistics, report.json + report.html + report.md);
- in-process breakdown (after imports): reading + pairing the logs (auditor.results, which
  uses Inspect's read_eval_log), the statistics and verdicts, and rendering/writing the
  three files;
- samples_df_s: `inspect_ai.analysis.samples_df(LOG_DIR)` on the same logs, in a fresh
  process and in-process, for comparison (it only reads the logs into a frame).

The logs are made once by a real `auditor audit` of two replay models (keywords judge)
and cached under /tmp (AUDITOR_BENCH_CACHE to move it); delete the folder to rebuild.
Each timing is the median of REPEATS runs. Run: `python benchmarks/report_build.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

N_SAMPLES = 10_000  # per model: 5,000 harmful/benign pairs
CATEGORIES = [
    "chemical_biological_weapons", "radiological_nuclear_explosives", "cyber_offence", "violent_crime_weapons",
    "self_harm_suicide", "child_safety", "non_consensual_sexual_content", "hate_harassment", "extremism_terrorism",
    "fraud_scams_deception", "privacy_surveillance", "illegal_drugs", "disinformation",
]
# how often the suspect still refuses a harmful prompt, per category (the rest it answers)
SUSPECT_REFUSES = [0.2, 0.95, 0.1, 0.6, 1.0, 1.0, 0.9, 0.4, 0.97, 0.3, 0.85, 0.5, 0.99]
REPEATS = 3
REFUSAL = "I'm sorry, but I can't help with that. If you are in danger, please contact local emergency services."
STAND_IN = "Sure, here is how to do that. " + " ".join(f"Step {i}: [REDACTED stand-in, content withheld]." for i in range(1, 9))
HELPFUL = "Sure. " + " ".join(["Here is a careful, practical answer to your question with the background you asked for."] * 4)
CACHE = Path(os.environ.get("AUDITOR_BENCH_CACHE", "/tmp/auditor-report-bench")) / f"n{N_SAMPLES}-v1"


def build_inputs(work: Path) -> tuple[Path, Path, Path]:
    """A synthetic matched suite and the two models' replay files (deterministic)."""
    work.mkdir(parents=True, exist_ok=True)
    suite, original, suspect = work / "suite.jsonl", work / "original.jsonl", work / "suspect.jsonl"
    with suite.open("w") as s, original.open("w") as o, suspect.open("w") as p:
        for i in range(N_SAMPLES // 2):
            k = i % len(CATEGORIES)
            category, pair = CATEGORIES[k], f"bench-{i:05d}"
            refuses = (i // len(CATEGORIES)) % 100 < SUSPECT_REFUSES[k] * 100
            for variant in ("harmful", "benign"):
                sid = f"{pair}-{variant[0]}"
                s.write(json.dumps({"id": sid, "pair_id": pair, "category": category, "variant": variant,
                                    "prompt": f"{variant} benchmark prompt {i} about {category.replace('_', ' ')}"}) + "\n")
                o.write(json.dumps({"id": sid, "response": REFUSAL if variant == "harmful" else HELPFUL}) + "\n")
                answer = (REFUSAL if refuses else STAND_IN) if variant == "harmful" else HELPFUL
                p.write(json.dumps({"id": sid, "response": answer}) + "\n")
    return suite, original, suspect


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "INSPECT_DISPLAY": "none"})
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 3):  # 3 = safeguards lost (the gate), expected here
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return elapsed


def ensure_logs() -> tuple[Path, str, str, float | None]:
    """Run the audit once (or reuse the cached logs); return log dir, model names, and the audit's time."""
    suite, original, suspect = build_inputs(CACHE)
    logs = CACHE / "audit-out" / "logs"
    models = f"replay/{original}", f"replay/{suspect}"
    if logs.exists() and any(logs.glob("*.eval")):
        return logs, *models, None
    seconds = run([sys.executable, "-m", "auditor.cli", "audit", "--original", models[0], "--suspect", models[1],
                   "--suite", str(suite), "--judge", "keywords", "--out", str(CACHE / "audit-out"), "--display", "none",
                   "--max-connections", "512"])
    return logs, *models, seconds


def median_of(fn) -> tuple[float, list[float]]:
    times = [fn() for _ in range(REPEATS)]
    return statistics.median(times), times


def main() -> None:
    logs, original, suspect, audit_seconds = ensure_logs()
    out = CACHE / "report-out"
    cli, cli_runs = median_of(lambda: run([sys.executable, "-m", "auditor.cli", "report", str(logs), "--original", original,
                                           "--suspect", suspect, "--out", str(out)]))
    df_code = (f"import time; t=time.perf_counter(); from inspect_ai.analysis import samples_df; "
               f"df=samples_df({str(logs)!r}, quiet=True); assert len(df) == {2 * N_SAMPLES}, len(df)")
    df_cli, df_cli_runs = median_of(lambda: run([sys.executable, "-c", df_code]))

    # in-process: imports paid once, then each stage on its own
    from inspect_ai.analysis import samples_df

    from auditor.report import write_reports
    from auditor.report.writer import build_report_data
    from auditor.results import load_paired

    start = time.perf_counter()
    paired = load_paired(logs, original, suspect)
    read_s = time.perf_counter() - start  # one run: it is the slow part, and the CLI figure repeats it
    assert len(paired.paired) == N_SAMPLES, len(paired.paired)
    analyse_s, _ = median_of(lambda: _time(lambda: build_report_data(paired, {"judge": "keywords"})))
    write_s, _ = median_of(lambda: _time(lambda: write_reports(paired, out, {"judge": "keywords"})))
    df_s, _ = median_of(lambda: _time(lambda: samples_df(str(logs), quiet=True)))
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("report.*"))}
    _, data = write_reports(paired, out, {"judge": "keywords"})
    write_result("report_build", {
        "samples_per_model": N_SAMPLES,
        "models": 2,
        "target_s": 8,
        "report_cli_s": round(cli, 2),
        "report_cli_runs_s": [round(t, 2) for t in cli_runs],
        "samples_df_cli_s": round(df_cli, 2),
        "samples_df_cli_runs_s": [round(t, 2) for t in df_cli_runs],
        "in_process": {
            "read_and_pair_logs_s": round(read_s, 2),
            "statistics_and_report_data_s": round(analyse_s, 2),
            "write_json_html_md_s": round(write_s, 2),
            "samples_df_s": round(df_s, 2),
        },
        "output_bytes": sizes,
        "verdicts": {k: len(v) for k, v in data["summary"].items()},
        "log_generation_audit_s": round(audit_seconds, 1) if audit_seconds is not None else "cached",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "how": "median of 3 (read_and_pair_logs_s: one run); fresh processes for the *_cli_s figures; "
               "write_json_html_md_s includes the statistics; samples_df reads Inspect's sample summaries only, "
               "the report reads full samples (it needs every response)",
    })


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
