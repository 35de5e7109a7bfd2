"""Imports run one way: the import-linter contracts in pyproject.toml hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_core_imports_no_platform_and_the_adapters_never_import_each_other(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)

    report = capsys.readouterr().out
    assert status == 0, report
    assert "2 kept, 0 broken" in report
