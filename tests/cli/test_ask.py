"""The `townhall` command as a member or a script uses it: output contract and exit codes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

# The command as a subprocess, for tests that hand it bytes rather than text.
TOWNHALL = (sys.executable, "-m", "bot.cli")


def townhall(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `townhall ARGS` in a fresh process, as a shell would."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_json_batch_writes_one_object_per_question() -> None:
    questions = ["Will OpenAI slow down hiring?", "바이오 보안 전략", "How do I bake bread?"]
    result = townhall("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert [line["lang"] for line in lines] == ["en", "ko", "en"]
    assert lines[2]["results"] == []
    first = lines[0]["results"][0]
    assert set(first) == {"doc", "section", "title", "score", "excerpt", "url"}
    assert first["section"] == 19
    assert first["doc"] == "openai-town-hall-2026-01"
    assert first["url"] == "https://youtu.be/Wpxv-8nG8ec"
    assert lines[1]["results"][0]["section"] == 13
    assert len(lines[0]["results"]) <= 3


def test_json_escapes_what_a_terminal_or_a_line_reader_would_act_on() -> None:
    # A line separator, NEL, the C1 escape introducer and a right-to-left override: each
    # would split a line, start an escape sequence or reorder the text on the screen.
    odd = "hiring\u2028\x85\x9b31m\u202eevil"
    result = townhall("ask", "--json", "-", stdin=f"{odd}\n\u202e\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line, question in zip(lines, [odd, "\u202e"], strict=True):
        assert not set(line) & set("\u2028\x85\x9b\u202e")
        assert json.loads(line)["question"] == question  # escaped, not lost
    assert "\\u202e" in lines[1]  # the error line too


def test_json_batch_keeps_a_line_for_an_empty_question() -> None:
    result = townhall("ask", "--json", "-", stdin="hiring?\n\n   \nJevons Paradox\n")
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert lines[1] == {"question": "", "error": "the question is empty", "results": []}
    assert lines[3]["results"][0]["section"] == 1


def test_readable_answer_has_title_excerpt_link_and_related() -> None:
    result = townhall("ask", "What did he say about hiring and interviews?")
    assert result.returncode == 0
    assert result.stdout.startswith("Topic 19: Changes in Software Engineer Hiring\n")
    assert "Watch the video: https://youtu.be/Wpxv-8nG8ec" in result.stdout


def test_off_topic_answer_offers_the_nearest_topics_it_ranked() -> None:
    result = townhall("ask", "비트코인 지금 얼마야?")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Town Hall에서 그 내용을 찾지 못했어요."
    ranked = json.loads(townhall("ask", "--json", "비트코인 지금 얼마야?").stdout)
    assert ranked["verdict"] == "none"
    offered = [f"  - {r['section']}. {r['title']}" for r in ranked["results"]]
    assert [line for line in lines if line.startswith("  - ")] == offered


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_a_usage_error(question: str) -> None:
    result = townhall("ask", question)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("error: the question is empty")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "question", ["🙂🙂", "\x07\x1b[2J", "**bold** _it_ `code`", "x" * 10_000, "<@123> 🙂"]
)
def test_odd_questions_never_crash(question: str) -> None:
    result = townhall("ask", "--json", question)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "none"


@pytest.mark.parametrize(
    "question", ["@everyone", "<@123> <!channel>", "https://example.com/x", "** __ ``"]
)
def test_a_question_of_only_mentions_links_or_markup_asks_nothing(question: str) -> None:
    result = townhall("ask", "--json", question)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "error: the question has no words, only mentions, links or markup"
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_version_and_help() -> None:
    assert townhall("--version").stdout.startswith("townhall ")
    help_text = townhall("--help").stdout
    assert "ask" in help_text
    assert "knowledge" in help_text


def test_knowledge_check_lists_each_file() -> None:
    result = townhall("knowledge", "check")
    assert result.returncode == 0
    assert (
        "openai-town-hall-2026-01.ko.md: openai-town-hall-2026-01 [ko] 24 sections" in result.stdout
    )
    assert (
        "openai-town-hall-2026-01.en.md: openai-town-hall-2026-01 [en] 24 sections" in result.stdout
    )


def test_broken_knowledge_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text(
        "---\ntitle: x\ntalk: t\nlang: ko\n---\n## 1. A\n## 2. B\n\nx\n"
    )
    # serve has a platform to run, and still refuses to start on half a knowledge base.
    env = {
        "KNOWLEDGE_DIR": str(tmp_path),
        "DISCORD_TOKEN": "never-used",
        "TOWNHALL_DB": str(tmp_path / "state.db"),
    }
    for args in (("knowledge", "check"), ("ask", "hiring?"), ("serve",)):
        result = townhall(*args, env=env)
        assert result.returncode == 1
        errors = [line for line in result.stderr.splitlines() if line.startswith("townhall: ")]
        assert len(errors) == 1
        assert errors[0].endswith(f"{tmp_path / 'broken.md'}:6: section 1 has no text")
        assert "Traceback" not in result.stderr


def test_wrong_setting_names_the_variable_and_value(tmp_path: Path) -> None:
    result = townhall("ask", "hiring?", env={"DISCORD_GUILD_ID": "not-a-number"})
    assert result.returncode == 1
    assert result.stderr.startswith("townhall: settings: DISCORD_GUILD_ID: ")
    assert result.stderr.rstrip().endswith("(got 'not-a-number')")


def test_wrong_secret_is_named_but_never_echoed(tmp_path: Path) -> None:
    result = townhall("ask", "hiring?", env={"SLACK_BOT_TOKEN": "xoxp-a-user-token"})
    assert result.returncode == 1
    assert result.stderr.startswith("townhall: settings: SLACK_BOT_TOKEN: ")
    assert "xoxp-a-user-token" not in result.stderr


def test_readable_closest_says_it_is_not_sure_and_offers_the_nearest_topics() -> None:
    ranked = json.loads(townhall("ask", "--json", "when is gpt-6 coming out").stdout)
    assert ranked["verdict"] == "closest"
    result = townhall("ask", "when is gpt-6 coming out")
    lines = result.stdout.splitlines()
    assert lines[0] == "I'm not sure the Town Hall answers exactly this. The closest topics:"
    offered = [f"  - {r['section']}. {r['title']}" for r in ranked["results"]]
    assert lines[1 : 1 + len(offered)] == offered
    best = ranked["results"][0]
    assert f"Topic {best['section']}: {best['title']}" in lines
    assert "Watch the video: https://youtu.be/Wpxv-8nG8ec" in lines


def test_readable_closest_is_in_the_questions_language() -> None:
    lines = townhall("ask", "GPT-6 출시일 언제라고 함?").stdout.splitlines()
    assert lines[0].startswith("Town Hall이 정확히 이 질문에 답하는지는 확실하지 않아요.")


def test_json_has_the_verdict_and_the_sections_offered_best_first() -> None:
    questions = ["hiring?", "when is gpt-6 coming out", "How do I bake bread?"]
    result = townhall("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == ["answer", "closest", "none"]
    scores = [r["score"] for r in lines[1]["results"]]
    assert scores == sorted(scores, reverse=True)
    assert lines[2]["results"] == []


def test_invalid_utf8_on_stdin_is_answered_line_by_line() -> None:
    stdin = b"hiring?\n\xff\xfe\xed\xb3\xab broken\n\xc3\nJevons Paradox\n"
    result = subprocess.run(
        [*TOWNHALL, "ask", "--json", "-"], input=stdin, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 4
    assert lines[1]["question"] == "\ufffd\ufffd\ufffd\ufffd\ufffd broken"
    assert lines[2]["question"] == "\ufffd"
    assert lines[3]["results"][0]["section"] == 1


def test_a_flood_of_binary_gets_one_json_line_per_input_line() -> None:
    # 64 KB: some 250 lines, each answered (and read by the sentence encoder, about
    # 40 ms a line here) on its own.
    noise = random.Random(8).randbytes(64_000)
    result = subprocess.run(
        [*TOWNHALL, "ask", "--json", "-"],
        input=noise,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-500:]
    expected = len(noise.split(b"\n")) - (1 if noise.endswith(b"\n") else 0)
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == expected
    assert all("question" in json.loads(line) for line in lines)


def test_undecodable_argument_is_answered_and_printed() -> None:
    # Python hands undecodable argv bytes over as lone surrogates ("surrogateescape").
    result = subprocess.run(
        [*map(os.fsencode, TOWNHALL), b"ask", b"--json", b"hiring \xed\xb3\xab?"],
        check=False,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.decode("utf-8"))
    assert answer["question"].startswith("hiring \ufffd")
    assert answer["results"][0]["section"] == 19


def test_unquoted_question_is_one_question() -> None:
    result = townhall("ask", "--json", "what", "did", "he", "say", "about", "hiring")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["question"] == "what did he say about hiring"


def test_empty_question_shows_the_usage_of_ask() -> None:
    result = townhall("ask", "")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: townhall ask ")
