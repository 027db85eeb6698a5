"""The public API is type-checked: mypy finds no error in the autodiff package."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is in the test extra: pip install '.[test]'")

ROOT = Path(__file__).resolve().parents[1]


def test_autodiff_passes_mypy(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "autodiff", "--ignore-missing-imports", "--cache-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
