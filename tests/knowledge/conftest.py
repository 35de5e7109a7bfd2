"""Write small knowledge files for loader tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FRONT = """---
title: "A talk"
talk: demo-talk
lang: {lang}
video: "https://youtu.be/demo"
---
"""

WriteDoc = Callable[..., Path]


@pytest.fixture
def write_doc(tmp_path: Path) -> WriteDoc:
    """Write `body` (after a front matter unless `front` is given) as tmp_path/name."""

    def write(
        body: str, name: str = "demo.ko.md", lang: str = "ko", front: str | None = None
    ) -> Path:
        path = tmp_path / name
        head = FRONT.format(lang=lang) if front is None else front
        path.write_text(head + body, encoding="utf-8")
        return path

    return write
