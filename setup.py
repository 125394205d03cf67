"""Build hook: ship the built-in suites, taxonomy and datasheet inside the package.

The suites live in the repository's top-level `datasets/` folder, where people read and
review them; an installed package (a wheel, `pip install .`, `pipx install`) has no
checkout beside it, so the build copies them to `auditor/datasets/` in the wheel and
`auditor.suites.builtin` looks there first. Everything else is in pyproject.toml.
"""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

DATASET_PATTERNS = ("*.jsonl", "*.json", "*.md")


class build_py_with_datasets(build_py):
    """setuptools' build_py, plus a copy of datasets/ into the built package."""

    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "datasets"
        target = Path(self.build_lib) / "auditor" / "datasets"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in DATASET_PATTERNS:
            for path in sorted(source.glob(pattern)):
                shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": build_py_with_datasets})
