"""`townhall knowledge check` keeps the knowledge folder's passage vectors up to date."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.meaning import VECTORS_FILE, Meaning, spare_vectors, unit_texts
from bot.knowledge import Knowledge
from tests.permissions import without_write_permission
from tests.tiny_talk import FEEDING, TALK_EN, write_talk


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No bot variable from the machine; the command runs in an empty folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_", "STATS_", "KNOWLEDGE_")):
            monkeypatch.delenv(name)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small knowledge folder, configured as KNOWLEDGE_DIR."""
    path = tmp_path / "knowledge"
    path.mkdir()
    write_talk(path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(path))
    return path


def check(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """`townhall knowledge check`'s lines; it must succeed and say nothing on stderr."""
    assert main(["knowledge", "check"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out.splitlines()


def texts_of(knowledge: Knowledge) -> set[str]:
    """The texts whose vectors the folder's file should hold."""
    return {
        t for lang in knowledge.languages for s in knowledge.sections(lang) for t in unit_texts(s)
    }


def test_check_writes_the_vectors_of_every_passage_of_a_new_folder(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = texts_of(write_talk(folder))
    lines = check(capsys)
    assert lines[:2] == [
        "ok  tiny.en.md: tiny [en] 4 sections, video https://youtu.be/tiny",
        "ok  tiny.ko.md: tiny [ko] 4 sections, video https://youtu.be/tiny",
    ]
    assert lines[2:] == [f"ok  {VECTORS_FILE}: {len(texts)} passages ({len(texts)} new)"]
    written = folder / VECTORS_FILE
    assert written.stat().st_mode & 0o777 == 0o644
    assert Meaning(written).holds(texts)


def test_check_embeds_only_what_changed_and_keeps_only_the_knowledges_texts(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys)
    changed = write_talk(folder, TALK_EN.replace(FEEDING, "Cats eat three times a day."))
    texts = texts_of(changed)

    assert check(capsys)[-1] == f"ok  {VECTORS_FILE}: {len(texts)} passages (1 new)"
    assert Meaning(folder / VECTORS_FILE).holds(texts)


def test_check_leaves_an_up_to_date_file_alone(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys)
    written = folder / VECTORS_FILE
    before = written.stat().st_mtime_ns, written.read_bytes()
    count = len(texts_of(write_talk(folder)))

    assert check(capsys)[-1] == f"ok  {VECTORS_FILE}: {count} passages (0 new)"
    assert (written.stat().st_mtime_ns, written.read_bytes()) == before


def check_read_only(folder: Path, cache_dir: Path) -> list[str]:
    """`knowledge check`'s lines on `folder`, read-only, with `cache_dir` as its cache."""
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            without_write_permission([sys.executable, "-m", "bot.cli", "knowledge", "check"]),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "KNOWLEDGE_DIR": str(folder), "TOWNHALL_CACHE_DIR": str(cache_dir)},
            check=False,
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert sorted(p.name for p in folder.iterdir()) == ["tiny.en.md", "tiny.ko.md"]
    return done.stdout.splitlines()


def test_check_on_a_read_only_folder_keeps_the_vectors_in_the_cache_folder_and_says_where(
    folder: Path, tmp_path: Path
) -> None:
    texts = texts_of(write_talk(folder))
    cache_dir = tmp_path / "cache"
    kept = spare_vectors(folder, cache_dir)
    lines = check_read_only(folder, cache_dir)
    assert len(lines) == 3
    assert lines[2] == (
        f"ok  {VECTORS_FILE}: not refreshed, {folder} cannot be written (Permission denied); "
        f"the {len(texts)} new passages' vectors are kept in {kept} (TOWNHALL_CACHE_DIR)"
    )
    assert Meaning(kept).holds(texts)


def test_check_on_a_read_only_folder_without_a_cache_to_write_says_so_and_succeeds(
    folder: Path, tmp_path: Path
) -> None:
    count = len(texts_of(write_talk(folder)))
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o555)
    try:
        lines = check_read_only(folder, cache_dir / "townhall")
    finally:
        cache_dir.chmod(0o755)
    assert len(lines) == 3
    assert lines[2] == (
        f"--  {VECTORS_FILE}: not refreshed, {folder} cannot be written (Permission denied): "
        f"{count} new passages are embedded at each start"
    )
    assert list(cache_dir.iterdir()) == []


def test_a_broken_knowledge_file_still_fails_and_writes_no_vectors(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "tiny.en.md").write_text(TALK_EN.replace("## 4. Saving money", "## 5. Saving money"))
    with pytest.raises(SystemExit) as exited:
        main(["knowledge", "check"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert str(folder) in captured.err
    assert not (folder / VECTORS_FILE).exists()
