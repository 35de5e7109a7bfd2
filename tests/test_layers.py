"""Imports run one way: the import-linter contracts in pyproject.toml hold."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """import-linter's CLI runs dictConfig, which disables every logger that exists (ours
    included) for the rest of the session: put the loggers and the root back afterwards.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    disabled = {lg: lg.disabled for lg in loggers}
    yield
    for logger, was in disabled.items():
        logger.disabled = was
    root.handlers[:] = handlers
    root.setLevel(level)


def test_core_imports_no_platform_and_the_adapters_never_import_each_other(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)

    report = capsys.readouterr().out
    assert status == 0, report
    assert "2 kept, 0 broken" in report
