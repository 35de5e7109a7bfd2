"""The loader reads the seed's format and ATX headings, and names the file and line of errors."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, KnowledgeError, load_document, load_knowledge
from bot.knowledge.loader import MAX_FILE_BYTES, MAX_FRONT_MATTER_BYTES
from tests.knowledge.conftest import WriteDoc

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_e4094cf60abd37ca.txt"

SETEXT_BODY = """
# A talk

Intro
--

Opening words.

> Watch: <https://youtu.be/demo>

---

1. First topic
--------------

### Question

Why first?

### Answer

Because it is. Second sentence.

---

2. Second topic
---------------

Only text.

Closing
-------

Thanks.
"""


def test_seed_parses_into_introduction_22_topics_and_closing(knowledge: Knowledge) -> None:
    document = next(d for d in knowledge.documents if d.lang == "ko")
    assert [s.number for s in document.sections] == list(range(24))
    assert document.sections[0].title == "서론"
    assert document.sections[19].title == "소프트웨어 엔지니어 채용의 변화"
    assert document.sections[23].title == "결론: 빌더들에게 던지는 질문"
    assert document.sections[12].headings == ("현재 상황", "체스의 교훈", "새로운 연구 스킬")
    assert document.video_url == "https://youtu.be/Wpxv-8nG8ec"


def test_every_language_has_the_same_sections_and_paragraphs(knowledge: Knowledge) -> None:
    korean, english = (knowledge.sections(lang) for lang in ("ko", "en"))
    assert [s.number for s in korean] == [s.number for s in english]
    # A sentence-for-sentence companion keeps the paragraphs and sub-headings too.
    assert [len(s.passages) for s in korean] == [len(s.passages) for s in english]
    assert [len(s.headings) for s in korean] == [len(s.headings) for s in english]


@pytest.mark.skipif(not SEED.exists(), reason=f"the user's seed is not beside the repo ({SEED})")
def test_korean_document_body_is_the_seed_unchanged(knowledge_dir: Path) -> None:
    shipped = (knowledge_dir / "openai-town-hall-2026-01.ko.md").read_text(encoding="utf-8")
    seed = SEED.read_text(encoding="utf-8")
    assert shipped.split("\n---\n", 1)[1] == seed.split("\n---\n", 1)[1]


def test_setext_document_gives_intro_topics_and_closing(write_doc: WriteDoc) -> None:
    document = load_document(write_doc(SETEXT_BODY))
    assert [(s.number, s.title) for s in document.sections] == [
        (0, "Intro"),
        (1, "First topic"),
        (2, "Second topic"),
        (3, "Closing"),
    ]
    first = document.sections[1]
    assert first.headings == ("Question", "Answer")
    assert [(p.heading, p.text) for p in first.passages] == [
        ("Question", "Why first?"),
        ("Answer", "Because it is. Second sentence."),
    ]
    # The quoted video link is metadata, not a passage.
    assert [p.text for p in document.sections[0].passages] == ["Opening words."]


def test_atx_headings_parse_like_setext_ones(write_doc: WriteDoc) -> None:
    body = (
        "# Title\n\n## 1. First\n\nAlpha text.\n\n### Sub\n\nBeta text.\n\n## 2. Second\n\nGamma.\n"
    )
    document = load_document(write_doc(body))
    assert [(s.number, s.title) for s in document.sections] == [(1, "First"), (2, "Second")]
    assert document.sections[0].headings == ("Sub",)


def test_video_comes_from_the_quoted_link_when_front_matter_has_none(write_doc: WriteDoc) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\n---\n'
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert document.video_url == "https://youtu.be/demo"


NOT_HTTP = "set an http:// or https:// URL"
NO_HOST = "it has no host name"
BAD_PORT = "its port must be a number from 1 to 65535"
SPACE = "a space or a control character cannot be in a link"
# Slack's <url|text> ends at | or >; a " or < in a Discord button's URL is carried into it.
CHAT_END = 'a link cannot hold < > | or " (chats end their links at them)'


@pytest.mark.parametrize(
    ("video", "shown", "problem"),
    [
        ('"javascript:alert(1)"', "'javascript:alert(1)'", NOT_HTTP),
        ("ftp://youtu.be/demo", "'ftp://youtu.be/demo'", NOT_HTTP),
        ("2026", "2026", NOT_HTTP),
        ("2026-01-28", "2026-01-28", NOT_HTTP),
        ('"https://"', "'https://'", NO_HOST),
        ('"https://:0"', "'https://:0'", NO_HOST),
        ('"https://x:99999/"', "'https://x:99999/'", BAD_PORT),
        ('"https://x:0/"', "'https://x:0/'", BAD_PORT),
        ('"https://x:port/"', "'https://x:port/'", BAD_PORT),
        ('"https://youtu.be/a b"', "'https://youtu.be/a b'", SPACE),
        ('"https://youtu.be/x|click"', "'https://youtu.be/x|click'", CHAT_END),
        ("'https://youtu.be/x>\"<script>'", "'https://youtu.be/x>\"<script>'", CHAT_END),
    ],
)
def test_a_video_that_is_not_a_web_link_is_named_even_with_a_quoted_link(
    write_doc: WriteDoc, video: str, shown: str, problem: str
) -> None:
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: {video}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)  # the body quotes https://youtu.be/demo
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path}:5: video: {shown} is not a web link: {problem}"


def test_an_empty_video_falls_back_to_the_quoted_link(write_doc: WriteDoc) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: ""\n---\n'
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert document.video_url == "https://youtu.be/demo"


@pytest.mark.parametrize(
    ("link", "shown", "problem"),
    [
        ("https://youtu.be/x|click", "'https://youtu.be/x|click'", CHAT_END),
        ("https://youtu.be/x<b", "'https://youtu.be/x<b'", CHAT_END),  # a quotation mark ends it
        ("https://:0", "'https://:0'", NO_HOST),
        ("https://youtu.be:99999/x", "'https://youtu.be:99999/x'", BAD_PORT),
    ],
)
def test_a_quoted_video_link_that_is_not_a_web_link_is_named_by_its_line(
    write_doc: WriteDoc, link: str, shown: str, problem: str
) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\n---\n'
    path = write_doc(SETEXT_BODY.replace("<https://youtu.be/demo>", f"<{link}>"), front=front)
    quoted = path.read_text(encoding="utf-8").splitlines().index(f"> Watch: <{link}>") + 1
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == (
        f"{path}:{quoted}: the quoted video link {shown} is not a web link: {problem}"
    )


def test_timestamp_makes_the_section_link_jump(write_doc: WriteDoc) -> None:
    front = (
        '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://youtu.be/demo"\n'
        'timestamps:\n  1: "1:05"\n  2: 3725\n---\n'
    )
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert document.sections[1].url == "https://youtu.be/demo?t=65"
    assert document.sections[2].url == "https://youtu.be/demo?t=3725"
    assert document.sections[3].url == "https://youtu.be/demo"


def test_pinned_insight_is_read_from_front_matter(write_doc: WriteDoc) -> None:
    front = (
        '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://youtu.be/demo"\n'
        'insights:\n  2: "Pinned   words."\n---\n'
    )
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert document.sections[2].pinned_insight == "Pinned words."
    assert document.sections[1].pinned_insight is None


@pytest.mark.parametrize(
    ("front", "body", "line", "message"),
    [
        ("", "no front matter\n", 1, "missing front matter"),
        ("---\ntitle: x\n", "", 1, "not closed"),
        ("---\ntitle: x\ntalk: [unclosed\nlang: ko\n---\n", SETEXT_BODY, 4, "front matter"),
        ('---\ntitle: "T"\ntalk: t\n---\n', SETEXT_BODY, 1, "needs 'lang:'"),
        ('---\ntitle: "T"\ntalk: t\nlang: fr\n---\n', SETEXT_BODY, 4, "'fr' is not supported"),
        # A talk id is part of every topic button: a space or 61 characters would break them.
        ('---\ntitle: "T"\ntalk: Town Hall 2026\nlang: ko\n---\n', SETEXT_BODY, 3, "ASCII"),
        ('---\ntitle: "T"\ntalk: ' + "t" * 61 + "\nlang: ko\n---\n", SETEXT_BODY, 3, "60"),
        ('---\ntitle: "T"\ntalk: 타운홀\nlang: ko\n---\n', SETEXT_BODY, 3, "ASCII"),
        (
            '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n'
            'timestamps:\n  1: "soon"\n---\n',
            SETEXT_BODY,
            6,
            "not a timestamp",
        ),
        (
            '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\ntimestamps:\n  9: 10\n---\n',
            SETEXT_BODY,
            6,
            "no section 9",
        ),
        ('---\ntitle: "T"\ntalk: t\nlang: ko\n---\n', "# T\n\n## 1. A\n\nText.\n", 1, "no video"),
        (None, "## 2. B\n\nText.\n\n## 1. A\n\nText.\n", 11, "section 1 comes after section 2"),
        (None, "## 1. A\n\n## 2. B\n\nText.\n", 7, "section 1 has no text"),
        (None, "### Sub\n\nText.\n", 7, "sub-heading before any section"),
        (None, "\n", 7, "no sections"),
    ],
)
def test_malformed_file_names_file_and_line(
    write_doc: WriteDoc, front: str | None, body: str, line: int, message: str
) -> None:
    path = write_doc(body, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert caught.value.path == path
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        # A quoted key is the same key: its errors point at its line like a plain one's.
        ('---\ntitle: "T"\ntalk: t\n"lang": fr\n---\n', 4, "'fr' is not supported"),
        ('---\ntitle: "T"\n"talk": "bad id!"\nlang: ko\n---\n', 3, "ASCII"),
        (
            '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n"timestamps": 5\n---\n',
            6,
            "expected a mapping",
        ),
        ("---\n'title': T\ntalk: t\n? lang\n: fr\n---\n", 4, "'fr' is not supported"),
        # A whole front matter on one line as a flow mapping.
        (
            '---\n{title: T, talk: t, lang: ko, video: "https://v", timestamps: {99: 5}}\n---\n',
            2,
            "timestamps: no section 99",
        ),
        ('---\n{title: T, talk: t,\n  "lang": fr}\n---\n', 3, "'fr' is not supported"),
    ],
    ids=["quoted-lang", "quoted-talk", "quoted-timestamps", "explicit-key", "flow", "flow-2-lines"],
)
def test_quoted_and_flow_keys_are_named_by_their_line(
    write_doc: WriteDoc, front: str, line: int, message: str
) -> None:
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("date: 2026-13-45", "date: month must be in 1..12"),
        ("year: " + "1" * 5000, "year: Exceeds the limit (4300 digits)"),
        ("? [a, b]\n: c", "a key must be text"),
    ],
    ids=["impossible-date", "huge-int", "list-key"],
)
def test_a_value_yaml_reads_but_python_refuses_is_named(
    write_doc: WriteDoc, entry: str, message: str
) -> None:
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n{entry}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}:6: front matter: {message}")


SEXAGESIMAL = "1" + ":00" * 3000  # YAML 1.1 reads it as base 60: 17,721 bits, no digit limit


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        # Python refuses to print an int past 4,300 digits: `ask` crashed in the topic link.
        (f"timestamps:\n  1: {SEXAGESIMAL}", 7, "timestamps: a number of 17,721 bits"),
        (f"date: {SEXAGESIMAL}", 6, "date: a number of 17,721 bits"),
        ("timestamps:\n  1: " + "9" * 4000, 7, "timestamps: a number of 13,288 bits"),
        (f"timestamps:\n  ? {SEXAGESIMAL}\n  : 5", 7, "timestamps: a number of 17,721 bits"),
        ("year: 0x" + "f" * 5000, 6, "year: a number of 20,000 bits"),
        ("n: 18446744073709551616", 6, "n: a number of 65 bits"),
    ],
    ids=["sexagesimal-timestamp", "sexagesimal-date", "digits", "key", "hex", "2**64"],
)
def test_a_number_past_64_bits_is_refused_with_its_line(
    write_doc: WriteDoc, entry: str, line: int, message: str
) -> None:
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n{entry}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path}:{line}: front matter: {message}; at most 64 are allowed"


@pytest.mark.parametrize(
    ("timestamp", "message"),
    [
        ("360000", "360000 is 100 hours or more into the video"),
        ('"100:00:00"', "'100:00:00' is 100 hours or more into the video"),
        ("100:00:00", "360000 is 100 hours or more into the video"),  # unquoted: base 60
        ('"99999999999999999:00:00"', "'99999999999999999:00:00' is not a timestamp"),
        ('"' + "9" * 4000 + ':00:00"', "'" + "9" * 38 + "… is not a timestamp"),
        ("yes", "True is not a timestamp"),  # YAML 1.1's yes is True, and True is an int
    ],
)
def test_a_timestamp_of_100_hours_or_more_is_refused(
    write_doc: WriteDoc, timestamp: str, message: str
) -> None:
    front = (
        '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n'
        f"timestamps:\n  1: {timestamp}\n---\n"
    )
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}:6: timestamps: section 1: {message}")


def test_a_timestamp_just_under_100_hours_is_a_link(write_doc: WriteDoc) -> None:
    front = (
        '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://youtu.be/demo"\n'
        'timestamps:\n  1: "99:59:59"\n  2: 1:05\n---\n'
    )
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert document.sections[1].url == "https://youtu.be/demo?t=359999"
    assert document.sections[2].url == "https://youtu.be/demo?t=65"


@pytest.mark.parametrize("number", ["1001", "-1", "yes"])
def test_a_section_number_out_of_range_is_refused(write_doc: WriteDoc, number: str) -> None:
    front = (
        '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n'
        f'insights:\n  {number}: "Words."\n---\n'
    )
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    shown = {"yes": "True is not a section number"}.get(
        number, f"{number} is not a section number (0 to 1000)"
    )
    assert str(caught.value) == f"{path}:6: insights: {shown}"


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        # A terminal obeys an escape: `insight --preview` cleared the screen.
        ('source: "\\x1b[2J"', 6, "source: character U+001B"),
        # No encoding can print a lone surrogate: `insight --preview` was a UnicodeEncodeError.
        ('insights:\n  1: "pin \\ud800 x"', 7, "insights: character U+D800"),
        ('notes: ["a", "\\x85"]', 6, "notes: character U+0085"),
        ('"\\x07bell": x', 6, "character U+0007"),
    ],
    ids=["escape-in-source", "surrogate-in-insight", "c1-in-list", "bell-in-key"],
)
def test_a_control_character_or_surrogate_written_as_an_escape_is_refused(
    write_doc: WriteDoc, entry: str, line: int, message: str
) -> None:
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n{entry}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == (
        f"{path}:{line}: front matter: {message} is not allowed "
        "(a control character or a lone surrogate, written as an escape)"
    )


def test_an_escaped_control_character_in_the_title_is_refused(write_doc: WriteDoc) -> None:
    front = '---\ntitle: "A \\ud83d talk"\ntalk: t\nlang: ko\nvideo: "https://v"\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError, match=r":2: front matter: title: character U\+D83D "):
        load_document(path)


def test_an_escaped_tab_or_newline_is_text(write_doc: WriteDoc) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\nsource: "a\\tb\\nc"\n---\n'
    assert load_document(write_doc(SETEXT_BODY, front=front)).source == "a\tb\nc"


def test_a_control_character_in_front_matter_is_named_by_its_line(write_doc: WriteDoc) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\nsource: a\x07b\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == (f"{path}:6: front matter: character U+0007 is not allowed in YAML")


def test_a_quoted_key_reads_like_a_plain_one(write_doc: WriteDoc) -> None:
    front = '---\n"title": "T"\n"talk": t\n"lang": en\n"video": "https://youtu.be/demo"\n---\n'
    document = load_document(write_doc(SETEXT_BODY, front=front))
    assert (document.talk, document.lang) == ("t", "en")
    assert document.video_url == "https://youtu.be/demo"


BILLION_LAUGHS = """a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
date: *c
"""


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        # Nine levels of this took minutes and gigabytes when the date was made text.
        (BILLION_LAUGHS, "anchors and aliases (&name, *name) are not allowed"),
        ('source: &s "x"', "anchors and aliases"),
        ("date: !!timestamp soon", "tags (!!name) are not allowed"),
        ("year: !!int 2026", "tags (!!name) are not allowed"),
        # PyYAML builds nested values by recursion: deep enough, that is a RecursionError.
        ("tags: " + "[" * 1000 + "]" * 1000, "nested more than 8 levels deep"),
    ],
    ids=["billion-laughs", "anchor", "timestamp-tag", "int-tag", "deep"],
)
def test_yaml_the_format_does_not_use_is_refused_before_it_is_built(
    write_doc: WriteDoc, entry: str, message: str
) -> None:
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n{entry}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}:6: front matter: {message}")


@pytest.mark.parametrize("key", ["title", "date", "talk", "lang", "video", "source"])
def test_a_field_of_one_value_refuses_a_list_or_mapping(write_doc: WriteDoc, key: str) -> None:
    fields = {"title": "T", "talk": "t", "lang": "ko", "video": "https://v", "date": "2026-01-28"}
    fields |= {"source": "s", key: "[a, {b: c}]"}
    front = "---\n" + "".join(f"{name}: {value}\n" for name, value in fields.items()) + "---\n"
    path = write_doc(SETEXT_BODY, front=front)
    line = list(fields).index(key) + 2
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path}:{line}: {key}: expected one value, not a list or mapping"


def test_a_knowledge_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    # A folder named like a talk file: reading it fails as a file the user running townhall
    # may not read would (a test run as root cannot make such a file).
    (tmp_path / "extra.en.md").mkdir()
    with pytest.raises(KnowledgeError, match=r"extra\.en\.md: cannot be read \(Is a directory\)"):
        load_knowledge(tmp_path)


def test_file_that_is_not_utf8_is_named_with_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (invalid continuation byte)"


def test_a_file_over_the_size_limit_is_refused_and_one_at_it_is_read(write_doc: WriteDoc) -> None:
    path = write_doc(SETEXT_BODY)
    at_limit = path.read_bytes() + b"x" * (MAX_FILE_BYTES - path.stat().st_size)
    path.write_bytes(at_limit)
    assert load_document(path).sections[-1].text.endswith("x" * 100)
    path.write_bytes(at_limit + b"x")
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == (
        f"{path}: too large: 1,048,577 bytes, and a knowledge file may have at most "
        "1,048,576 (1 MiB)"
    )


def test_a_front_matter_over_its_limit_is_refused(write_doc: WriteDoc) -> None:
    notes = "notes: " + "x" * MAX_FRONT_MATTER_BYTES
    front = f'---\ntitle: "T"\ntalk: t\nlang: ko\nvideo: "https://v"\n{notes}\n---\n'
    path = write_doc(SETEXT_BODY, front=front)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value).startswith(f"{path}:1: front matter: over 65,536 bytes")


def test_a_device_named_like_a_talk_is_refused_unread(tmp_path: Path) -> None:
    # /dev/null is the same kind of file as /dev/zero, which would fill the memory if read.
    (tmp_path / "zero.en.md").symlink_to("/dev/null")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'zero.en.md'}: not a regular file (a character device): "
        "a knowledge file must be a file of text"
    )


def test_a_fifo_named_like_a_talk_is_refused_without_waiting_for_a_writer(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.en.md"
    os.mkfifo(fifo)
    # Opening a FIFO to read waits for a writer: were the loader to wait, this one comes
    # after 5 s (and goes at once), so the test fails instead of hanging.
    writer = threading.Timer(5, _write_and_close, [fifo])
    writer.start()
    try:
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(tmp_path)
    finally:
        writer.cancel()
    assert str(caught.value) == (
        f"{fifo}: not a regular file (a FIFO): a knowledge file must be a file of text"
    )


def _write_and_close(fifo: Path) -> None:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # no reader (any more): nothing to unblock
        return


@pytest.mark.parametrize(
    ("line", "title", "text"),
    [
        # A heading's closing #s were found by a pattern that tried every split of the
        # spaces: cubic, so 4,000 spaces took minutes.
        ("## 1. A" + " " * 100_000 + "B", "A" + " " * 100_000 + "B", "Text."),
        # An autolink left open was scanned to the end of the line from every "<".
        ("## 1. A", "A", "<http://" * 50_000),
    ],
    ids=["heading-spaces", "open-autolinks"],
)
def test_a_hostile_line_loads_in_time(
    write_doc: WriteDoc, line: str, title: str, text: str
) -> None:
    path = write_doc(f"{line}\n\n{text}\n")
    # In a child killed after 20 s: a regular expression that backtracks cannot be stopped
    # from inside the process, and the test must fail rather than hang.
    load = "import sys, pathlib, bot.knowledge as k; k.load_document(pathlib.Path(sys.argv[1]))"
    subprocess.run(
        [sys.executable, "-c", load, str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=20,
        check=True,
    )
    section = load_document(path).sections[0]
    assert (section.number, section.title, section.text) == (1, title, text)


def test_languages_with_different_sections_are_refused(write_doc: WriteDoc) -> None:
    korean = write_doc(SETEXT_BODY, name="demo.ko.md", lang="ko")
    write_doc(SETEXT_BODY.replace("Closing\n-------\n\nThanks.\n", ""), "demo.en.md", "en")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(korean.parent)
    assert caught.value.path == korean
    closing = korean.read_text(encoding="utf-8").splitlines().index("Closing") + 1
    assert caught.value.line == closing  # the heading of the section the English file lacks
    assert caught.value.message.startswith("section 3 is missing from demo.en.md")


def test_two_files_for_one_talk_and_language_are_refused(write_doc: WriteDoc) -> None:
    write_doc(SETEXT_BODY, name="a.md")
    second = write_doc(SETEXT_BODY, name="b.md")
    with pytest.raises(KnowledgeError, match=r"already in a\.md") as caught:
        load_knowledge(second.parent)
    assert caught.value.path == second


def test_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no knowledge files"):
        load_knowledge(tmp_path)
    with pytest.raises(KnowledgeError, match="no such folder"):
        load_knowledge(tmp_path / "nowhere")


def test_a_second_talk_is_added_by_dropping_in_a_file(knowledge_dir: Path, tmp_path: Path) -> None:
    for path in knowledge_dir.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "other.ko.md").write_text(
        '---\ntitle: "Other"\ntalk: other-talk\nlang: ko\nvideo: "https://youtu.be/x"\n---\n'
        "## 1. 다른 주제\n\n다른 이야기입니다.\n",
        encoding="utf-8",
    )
    (tmp_path / "other.en.md").write_text(
        '---\ntitle: "Other"\ntalk: other-talk\nlang: en\nvideo: "https://youtu.be/x"\n---\n'
        "## 1. Another topic\n\nAnother story.\n",
        encoding="utf-8",
    )
    knowledge = load_knowledge(tmp_path)
    assert knowledge.talks == ("openai-town-hall-2026-01", "other-talk")
    assert len(knowledge.sections("en")) == 25


@pytest.mark.parametrize("character", ["\x1b", "\x07", "\x00", "\x9b"])
def test_a_control_character_in_the_body_is_refused_by_its_line(
    write_doc: WriteDoc, character: str
) -> None:
    path = write_doc(SETEXT_BODY.replace("Opening words.", f"Opening{character}[2J words."))
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if character in text)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert str(caught.value) == (
        f"{path}:{line}: character U+{ord(character):04X} is not allowed (a control character)"
    )


def test_a_quoted_link_written_in_quotation_marks_is_read_without_them(
    write_doc: WriteDoc,
) -> None:
    front = '---\ntitle: "T"\ntalk: t\nlang: ko\n---\n'
    body = SETEXT_BODY.replace(
        "> Watch: <https://youtu.be/demo>", '> Watch: "https://youtu.be/demo"'
    )
    document = load_document(write_doc(body, front=front))
    assert document.video_url == "https://youtu.be/demo"
