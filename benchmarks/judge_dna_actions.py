"""What the offline judge calls each kind of Do-Not-Answer answer, including the two kinds its reliability figure leaves out.

The judge-reliability measurement (scripts/train_offline_judge.py) labels refusal on
Do-Not-Answer only where the people's action category is clear (0 refused; 2, 3, 5 complied)
and leaves out 1 (refutes the request's opinion or assumption) and 4 (cannot answer: lack of
knowledge or certainty), more than half of its 5,634 answers. This judges every answer with
the shipped offline judge (Do-Not-Answer is a test source only: never trained or tuned on)
and reports, per action category, the share judged refused / partial / complied, and the
refusal accuracy under the measurement's mapping (a check: it must reproduce that figure)
and under XSTest's reading (0 and 4 refused, 1 and 2 partial, 3 and 5 complied), the one the
human-review benchmark uses. The code is `auditor.judges.training.actions`, which the
training script also runs, so reliability.json and every report carry the same figure.

Data: ../shared/datasets/judge_train/do_not_answer, read by path.
Usage: python benchmarks/judge_dna_actions.py. Writes benchmarks/results/judge_dna_actions.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "judge_train" / "do_not_answer"


def main() -> int:
    from auditor.judges.offline import OfflineJudge
    from auditor.judges.training.actions import action_agreement

    started = time.perf_counter()
    result = action_agreement(OfflineJudge(), DATA)
    if result is None:
        print(f"judge_dna_actions: {DATA} not found (../shared/datasets is only beside the project in CI and development)", file=sys.stderr)
        return 2
    write_result("judge_dna_actions", {
        "data": "Do-Not-Answer data_en.csv (Libr-AI via kunishou/do-not-answer-ja @ 1380ff2f); test source only",
        "judge": "offline (shipped weights)",
        **result,
        "seconds": round(time.perf_counter() - started, 2),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
