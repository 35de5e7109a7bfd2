"""Parse Town Hall summary markdown files into documents, with file-and-line errors."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.reader import ReaderError

from bot.knowledge.model import INTRODUCTION, Document, Knowledge, Passage, Section
from bot.text import NotUtf8Error, utf8_decoded

SUPPORTED_LANGUAGES = ("ko", "en")
# A talk id travels in every topic button and picker value ("talk:number", Discord's
# custom_id has 100 characters in all): ASCII letters, digits, ".", "_" and "-", 60 at most.
TALK_ID = re.compile(r"[A-Za-z0-9._-]{1,60}")

_SETEXT_UNDERLINE = re.compile(r"^(?:-{2,}|={2,})\s*$")
# The heading's closing #s are stripped in code: as a pattern (.*?)\s*#*\s*$ tries every
# split of a run of spaces between its two \s*, cubic in the spaces' length.
_ATX = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(.+)$")
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")
# "<" ends a try: with it inside, an autolink left open was read to the end of the line from
# every "<" on it, quadratic.
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_LINK_IN_QUOTE = re.compile(r"(https?://[^>\s)\"']+)")
# Six digits of hours are past any video already; the bound keeps int() off a huge number.
_TIMESTAMP = re.compile(r"^(?:(\d{1,6}):)?(\d{1,2}):(\d{2})$")
_EMPHASIS = re.compile(r"(\*\*|__|`)")

# The shipped talk files weigh 21-24 KB and a three-hour talk written out in full a few
# hundred: a file past this is refused before it is read, so that a symlink to /dev/zero
# or a stray dump cannot fill the memory.
MAX_FILE_BYTES = 1 << 20
# The shipped front matter is under 500 bytes. PyYAML in pure Python takes seconds and
# hundreds of MB over a megabyte of flow mappings, under 2 s over this much.
MAX_FRONT_MATTER_BYTES = 64 << 10
_FILE_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)

# Front matter fields that hold one value; a list or mapping there is a mistake.
_ONE_VALUE = frozenset({"title", "date", "talk", "lang", "video", "source"})
# YAML reads 1:00:00 as a base-60 integer and computes it, so Python's limit on the digits
# of an int does not apply, and str() of one past 4,300 digits raises wherever it is shown
# (a hex one has no limit at all). No value the format holds is near 64 bits.
_INT_BITS = 64
# A timestamp goes into every topic link as ?t=seconds; the longest talk is hours, not days.
_MAX_SECONDS = 100 * 3600
# Section headings are numbered with at most three digits; the closing section may follow 999.
_MAX_SECTION = 1000
# What no command may print, though a double-quoted YAML escape writes it (the YAML reader
# refuses most of it written out): C0 and C1 control characters and DEL (a terminal obeys
# them: "\x1b[2J" clears it) and lone surrogates (no encoding can print or send one). Tabs
# and newlines are text.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Slack writes a link as <url|text> and Discord sends it in a button: one of these ends the
# link early or carries what follows into the message.
_NOT_IN_LINK = frozenset('<>|"')
_NOT_HTTP = "set an http:// or https:// URL"
# The format nests two levels (the front matter, then timestamps, insights or tags). PyYAML
# builds nested values by recursion, so a deep enough nesting would be a RecursionError.
_MAX_NESTING = 8

_T = TypeVar("_T")


class KnowledgeError(ValueError):
    """A knowledge file that cannot be served, with the file and line to fix."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        # Line 0: the whole file or folder (unreadable, missing), with no line to point at.
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class _Draft:
    number: int
    title: str
    line: int
    headings: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True)
class _FrontMatter:
    values: Mapping[object, object]  # YAML keys may be numbers or dates too
    key_lines: Mapping[str, int]
    body_start: int  # 0-based index of the first body line

    def line(self, key: str) -> int:
        """The line of `key`, or the front matter's first line for a key it does not have."""
        return self.key_lines.get(key, 1)


def load_knowledge(folder: Path, languages: Iterable[str] = SUPPORTED_LANGUAGES) -> Knowledge:
    """Load every talk file in `folder`; any broken file fails the whole load."""
    if not folder.is_dir():
        raise KnowledgeError(folder, 0, "no such folder")
    paths = sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")
    if not paths:
        raise KnowledgeError(folder, 0, "no knowledge files (*.md) in this folder")
    documents = [load_document(p, languages) for p in paths]
    _check_consistency(documents)
    order = sorted(documents, key=lambda d: (d.talk, d.lang))
    return Knowledge(tuple(order))


def load_document(path: Path, languages: Iterable[str] = SUPPORTED_LANGUAGES) -> Document:
    """Parse one markdown file (front matter, setext or ATX headings) into a Document."""
    lines = _read_text(path).splitlines()
    front = _front_matter(path, lines)
    for number, written in enumerate(lines[front.body_start :], start=front.body_start + 1):
        if bad := _UNSHOWABLE.search(written):
            # Every passage goes to a chat or a terminal, which would obey it.
            raise KnowledgeError(
                path,
                number,
                f"character U+{ord(bad.group()):04X} is not allowed (a control character)",
            )
    meta = front.values
    lang = _required_text(path, front, "lang")
    allowed = tuple(languages)
    if lang not in allowed:
        line = front.line("lang")
        raise KnowledgeError(path, line, f"lang {lang!r} is not supported ({', '.join(allowed)})")
    talk = _required_text(path, front, "talk")
    if not TALK_ID.fullmatch(talk):
        raise KnowledgeError(
            path,
            front.line("talk"),
            f"talk {talk!r}: use up to 60 ASCII letters, digits, '.', '_' or '-' "
            "(it is part of every topic button)",
        )
    title = _required_text(path, front, "title")
    drafts = _sections(path, lines, front.body_start)
    video = _video(path, front, lines)
    timestamps = _number_map(path, front, "timestamps", _seconds)
    pins = _number_map(path, front, "insights", _pinned_text)
    known = {d.number for d in drafts}
    for key, mapping in (("timestamps", timestamps), ("insights", pins)):
        for number in mapping:
            if number not in known:
                line = front.line(key)
                raise KnowledgeError(path, line, f"{key}: no section {number} in this file")
    sections = tuple(
        Section(
            talk=talk,
            lang=lang,
            number=d.number,
            title=d.title,
            headings=tuple(d.headings),
            passages=tuple(d.passages),
            video_url=video,
            timestamp=timestamps.get(d.number),
            pinned_insight=pins.get(d.number),
            line=d.line,
        )
        for d in drafts
    )
    return Document(
        talk=talk,
        lang=lang,
        title=title,
        date=str(meta.get("date", "")),
        video_url=video,
        source=str(meta.get("source", "")),
        path=path,
        sections=sections,
    )


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_FILE_BYTES of UTF-8."""
    try:
        # O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused just below).
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
            data = _read_regular(path, file)
    except OSError as exc:
        # Unreadable for the user running townhall (permissions), or a dangling symlink.
        raise KnowledgeError(path, 0, f"cannot be read ({exc.strerror})") from exc
    try:
        return utf8_decoded(path, data)
    except NotUtf8Error as exc:
        raise KnowledgeError(path, exc.line, f"not UTF-8 text ({exc.reason})") from exc


def _read_regular(path: Path, file: BinaryIO) -> bytes:
    info = os.fstat(file.fileno())
    if stat.S_ISDIR(info.st_mode):  # a folder named *.md
        raise KnowledgeError(path, 0, f"cannot be read ({os.strerror(errno.EISDIR)})")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "of another kind")
        message = f"not a regular file ({kind}): a knowledge file must be a file of text"
        raise KnowledgeError(path, 0, message)
    if info.st_size > MAX_FILE_BYTES:
        raise _too_large(path, f"{info.st_size:,} bytes")
    data = file.read(MAX_FILE_BYTES + 1)  # one byte more tells a file that grew since fstat
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path, f"more than {MAX_FILE_BYTES:,} bytes")
    return data


def _too_large(path: Path, size: str) -> KnowledgeError:
    message = f"too large: {size}, and a knowledge file may have at most {MAX_FILE_BYTES:,}"
    return KnowledgeError(path, 0, f"{message} ({MAX_FILE_BYTES >> 20} MiB)")


def _front_matter(path: Path, lines: list[str]) -> _FrontMatter:
    if not lines or lines[0].strip() != "---":
        raise KnowledgeError(path, 1, "missing front matter (the file must start with '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise KnowledgeError(path, 1, "front matter is not closed with '---'") from None
    text = "\n".join(lines[1:end])
    size = len(text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise KnowledgeError(
            path,
            1,
            f"front matter: over {MAX_FRONT_MATTER_BYTES:,} bytes ({size:,}); "
            "it is for a few keys, the text goes below it",
        )
    try:
        _refuse_unused_yaml(path, text)
        values, key_lines = _values(path, text)
    except ReaderError as exc:
        # A control character: the reader gives its place in the text, not a line.
        line = text.count("\n", 0, exc.position) + 2
        message = f"character U+{exc.character:04X} is not allowed in YAML"
        raise KnowledgeError(path, line, f"front matter: {message}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise KnowledgeError(path, _line(mark), f"front matter: {problem}") from None
    return _FrontMatter(values, key_lines, end + 1)


def _values(path: Path, text: str) -> tuple[dict[object, object], dict[str, int]]:
    """The front matter's keys and values, and the line of each key."""
    # What yaml.safe_load does, in its steps: the nodes carry each key's line in every form
    # YAML allows (plain, quoted, "? key", a flow mapping), which a scan of the text does not.
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return {}, {}
        if not isinstance(root, yaml.MappingNode):
            raise KnowledgeError(
                path, _line(root.start_mark), "front matter must be a mapping of keys to values"
            )
        return _mapping(path, loader, root)
    finally:
        loader.dispose()


def _mapping(
    path: Path, loader: yaml.SafeLoader, root: yaml.MappingNode
) -> tuple[dict[object, object], dict[str, int]]:
    """The keys and values of the front matter's mapping, constructed one by one."""
    loader.flatten_mapping(root)  # "<<:" merge keys, as construction would
    values: dict[object, object] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = _line(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            raise KnowledgeError(
                path, line, "front matter: a key must be text, not a list or mapping"
            )
        if key_node.value in _ONE_VALUE and not isinstance(value_node, yaml.ScalarNode):
            message = "expected one value, not a list or mapping"
            raise KnowledgeError(path, line, f"{key_node.value}: {message}")
        try:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
        except ValueError as exc:
            # A resolved value Python refuses: a date like 2026-13-45, an int of 5,000 digits.
            line = _line(value_node.start_mark)
            message = f"front matter: {_key_name(key_node)}: {exc}"
            raise KnowledgeError(path, line, message) from None
        _refuse_unshowable(path, loader, key_node, "")
        _refuse_unshowable(path, loader, value_node, f"{_key_name(key_node)}: ")
        values[key] = value  # the last of a repeated key wins, as in yaml.safe_load
        if isinstance(key, str):
            key_lines[key] = line
    return values, key_lines


def _key_name(node: yaml.ScalarNode) -> str:
    """A key as written, or quoted with escapes when it holds what a terminal would obey."""
    return repr(node.value) if _UNSHOWABLE.search(node.value) else node.value


def _refuse_unshowable(path: Path, loader: yaml.SafeLoader, node: yaml.Node, name: str) -> None:
    """Refuse a built value no command can show: a huge int, a control character, a surrogate.

    `name` is the front matter key the node is under ("" for the key itself, which is then
    not repeated in the message: it may be the very thing refused).
    """
    for scalar in _scalars(node):
        # Built with its mapping already: construct_object returns the value it made then.
        value = loader.construct_object(scalar)
        line = _line(scalar.start_mark)
        if isinstance(value, int) and value.bit_length() > _INT_BITS:
            message = f"a number of {value.bit_length():,} bits; at most {_INT_BITS} are allowed"
            raise KnowledgeError(path, line, f"front matter: {name}{message}")
        bad = _UNSHOWABLE.search(value) if isinstance(value, str) else None
        if bad:
            message = (
                f"character U+{ord(bad.group()):04X} is not allowed "
                "(a control character or a lone surrogate, written as an escape)"
            )
            raise KnowledgeError(path, line, f"front matter: {name}{message}")


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every scalar under `node`, keys included (the nesting is bounded by _MAX_NESTING)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)


def _refuse_unused_yaml(path: Path, text: str) -> None:
    """Refuse what the format never needs and a hostile file abuses, before any node is built.

    Aliases repeat a value without writing it out (nine levels of nine make a date of 9**9
    strings); tags reach constructors that fail without a line (!!timestamp soon); nesting
    is refused at a depth well inside Python's recursion limit.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = _line(event.start_mark)
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:  # an alias too
            message = "anchors and aliases (&name, *name) are not allowed; write the value out"
            raise KnowledgeError(path, line, f"front matter: {message}")
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and event.tag:
            message = "tags (!!name) are not allowed; quote a value to make it text"
            raise KnowledgeError(path, line, f"front matter: {message}")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_NESTING:
                raise KnowledgeError(
                    path, line, f"front matter: nested more than {_MAX_NESTING} levels deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Mark(Protocol):
    """Where PyYAML (pure Python or libyaml) found something: `line` counts from 0."""

    line: int


def _line(mark: _Mark | None) -> int:
    """The file's line for a mark in the front matter, which starts on the file's line 2."""
    return mark.line + 2 if mark is not None else 1


def _required_text(path: Path, front: _FrontMatter, key: str) -> str:
    value = front.values.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise KnowledgeError(path, front.line(key), f"front matter needs '{key}:'")
    return str(value).strip()


def _number_map(
    path: Path, front: _FrontMatter, key: str, convert: Callable[[object], _T]
) -> dict[int, _T]:
    raw = front.values.get(key)
    if raw is None:
        return {}
    line = front.line(key)
    if not isinstance(raw, dict):
        raise KnowledgeError(path, line, f"{key}: expected a mapping of section number to value")
    result: dict[int, _T] = {}
    for number, value in raw.items():
        if isinstance(number, bool) or not isinstance(number, int):  # yes: is True, an int
            raise KnowledgeError(path, line, f"{key}: {_shown(number)} is not a section number")
        if not 0 <= number <= _MAX_SECTION:
            message = f"{number} is not a section number (0 to {_MAX_SECTION})"
            raise KnowledgeError(path, line, f"{key}: {message}")
        try:
            result[number] = convert(value)
        except ValueError as exc:
            raise KnowledgeError(path, line, f"{key}: section {number}: {exc}") from None
    return result


def _seconds(value: object) -> int:
    # yes and no are True and False, ints to Python: the link would end in ?t=True.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        total = value  # 1:05 unquoted too: YAML reads it as base 60, 65
    else:
        match = _TIMESTAMP.match(str(value).strip())
        if not match:
            raise ValueError(f"{_shown(value)} is not a timestamp (use seconds, MM:SS or H:MM:SS)")
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        if seconds >= 60 or (match.group(1) and minutes >= 60):
            raise ValueError(f"{_shown(value)} is not a valid time")
        total = hours * 3600 + minutes * 60 + seconds
    if total >= _MAX_SECONDS:
        raise ValueError(f"{_shown(value)} is {_MAX_SECONDS // 3600} hours or more into the video")
    return total


def _shown(value: object) -> str:
    """`value` as an error message quotes it, cut to 40 characters (a value may be huge)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:39]}…"


def _pinned_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a pinned insight must be non-empty text")
    return " ".join(value.split())


def _video(path: Path, front: _FrontMatter, lines: list[str]) -> str:
    """`video:`, else the first link on a quoted line of the body (the seed's way)."""
    video = front.values.get("video")
    if video is None or video == "":  # no `video:`, an empty one or `video: ""`
        quoted = _quoted_link(lines, front.body_start)
        if quoted is None:
            raise KnowledgeError(
                path,
                front.line("video"),
                "no video URL: set 'video:' or quote the link in the body "
                "('> Watch: <https://...>')",
            )
        link, number = quoted
        problem = _link_problem(link)
        if problem:
            raise KnowledgeError(
                path, number, f"the quoted video link {_shown(link)} is not a web link: {problem}"
            )
        return link
    # Every topic link and button carries it: a javascript: or spaced URL must not get there.
    if not isinstance(video, str):  # a number or a date, shown as written
        message = f"video: {video} is not a web link: {_NOT_HTTP}"
        raise KnowledgeError(path, front.line("video"), message)
    problem = _link_problem(video)
    if problem:
        message = f"video: {_shown(video)} is not a web link: {problem}"
        raise KnowledgeError(path, front.line("video"), message)
    return video


def _link_problem(url: str) -> str | None:
    """What keeps `url` from being a link every chat can carry, or None for a good one."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "a space or a control character cannot be in a link"
    if any(c in _NOT_IN_LINK for c in url):
        return 'a link cannot hold < > | or " (chats end their links at them)'
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[": an IPv6 host left open
        return _NOT_HTTP
    if parts.scheme not in ("http", "https"):
        return _NOT_HTTP
    if not parts.hostname:
        return "it has no host name"
    try:
        port = parts.port  # reading it checks it: not a number, or past 65535, raises
    except ValueError:
        port = 0
    if port == 0:
        return "its port must be a number from 1 to 65535"
    return None


def _quoted_link(lines: list[str], start: int) -> tuple[str, int] | None:
    """The first http(s) link on a quoted line of the body, and its line."""
    for index in range(start, len(lines)):
        if lines[index].lstrip().startswith(">"):
            match = _LINK_IN_QUOTE.search(lines[index])
            if match:
                return match.group(1), index + 1
    return None


def _sections(path: Path, lines: list[str], start: int) -> list[_Draft]:
    body = _Body(path)
    i = start
    while i < len(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        i += body.read(lines[i], following, i + 1)
    body.flush()
    if not body.drafts:
        raise KnowledgeError(path, start + 1, "no sections: add '## 1. Title' headings")
    for draft in body.drafts:
        if not draft.passages:
            raise KnowledgeError(path, draft.line, f"section {draft.number} has no text")
    return body.drafts


class _Body:
    """The markdown body read line by line into section drafts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.drafts: list[_Draft] = []
        self.paragraph: list[str] = []
        self.paragraph_line = 0
        self.heading: str | None = None

    def read(self, line: str, following: str, number: int) -> int:
        """Take one line (and peek at the next); return how many lines were used."""
        stripped = line.strip()
        if stripped and _SETEXT_UNDERLINE.match(following) and not self.paragraph:
            self.open_section(stripped, number)
            return 2
        atx = _ATX.match(stripped)
        if atx and not line.startswith((" ", "\t")):
            text = atx.group(2).rstrip().rstrip("#").rstrip()  # "## Title ##" is "Title"
            self.atx_heading(len(atx.group(1)), _clean(text), number)
        elif not stripped or _SETEXT_UNDERLINE.match(stripped) or _IMAGE_LINE.match(stripped):
            self.flush()
        elif stripped.startswith(">"):
            self.flush()
            quoted = stripped.lstrip("> ").strip()
            # The quoted video link is metadata; other quotes are content.
            if quoted and not _LINK_IN_QUOTE.search(quoted):
                self.paragraph, self.paragraph_line = [quoted], number
                self.flush()
        else:
            if not self.paragraph:
                self.paragraph_line = number
            self.paragraph.append(_AUTOLINK.sub(r"\1", stripped))
        return 1

    def atx_heading(self, level: int, text: str, number: int) -> None:
        """`## N. Title` opens a section, `###` a sub-heading; `#` is the document title."""
        if level == 2:
            self.open_section(text, number)
            return
        self.flush()
        if level >= 3:
            if not self.drafts:
                raise KnowledgeError(self.path, number, "sub-heading before any section heading")
            self.heading = text
            self.drafts[-1].headings.append(text)

    def open_section(self, raw_title: str, line: int) -> None:
        """Start a new section from its heading text."""
        self.flush()
        self.heading = None
        number, title = _numbered(raw_title)
        if number is None:
            number = _unnumbered_position(self.path, self.drafts, line)
        elif self.drafts and number <= self.drafts[-1].number:
            raise KnowledgeError(
                self.path, line, f"section {number} comes after section {self.drafts[-1].number}"
            )
        if not title:
            raise KnowledgeError(self.path, line, "section heading has no title")
        self.drafts.append(_Draft(number, title, line))

    def flush(self) -> None:
        """End the paragraph being read, as a passage of the current section."""
        if not self.paragraph:
            return
        text = " ".join(part.strip() for part in self.paragraph)
        self.paragraph = []
        if not self.drafts:
            # Prose before any heading belongs to an implicit introduction.
            self.drafts.append(_Draft(INTRODUCTION, "", self.paragraph_line))
        section = self.drafts[-1]
        section.passages.append(Passage(section.number, len(section.passages), text, self.heading))


def _numbered(title: str) -> tuple[int | None, str]:
    clean = _clean(title)
    match = _NUMBERED.match(clean)
    if match:
        return int(match.group(1)), match.group(2).strip()
    return None, clean


def _unnumbered_position(path: Path, drafts: list[_Draft], line: int) -> int:
    if not drafts:
        return INTRODUCTION
    if drafts[-1].number == INTRODUCTION and len(drafts) == 1:
        raise KnowledgeError(path, line, "two unnumbered sections before the first numbered one")
    # An unnumbered heading after the topics is the closing section; only one may follow.
    numbered = [d for d in drafts if d.number != INTRODUCTION]
    if numbered and drafts[-1] is not numbered[-1]:
        raise KnowledgeError(path, line, "only one unnumbered section may follow the topics")
    return drafts[-1].number + 1


def _clean(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def _check_consistency(documents: list[Document]) -> None:
    seen: dict[tuple[str, str], Document] = {}
    by_talk: dict[str, list[Document]] = {}
    for document in documents:
        key = (document.talk, document.lang)
        if key in seen:
            raise KnowledgeError(
                document.path,
                1,
                f"talk {document.talk!r} in {document.lang!r} is already in {seen[key].path.name}",
            )
        seen[key] = document
        by_talk.setdefault(document.talk, []).append(document)
    for versions in by_talk.values():
        reference = versions[0]
        numbers = [s.number for s in reference.sections]
        for other in versions[1:]:
            other_numbers = [s.number for s in other.sections]
            if other_numbers == numbers:
                continue
            for longer, shorter in ((other, reference), (reference, other)):
                shorter_numbers = {s.number for s in shorter.sections}
                extra = [s for s in longer.sections if s.number not in shorter_numbers]
                if extra:
                    raise KnowledgeError(
                        longer.path,
                        extra[0].line,
                        f"section {extra[0].number} is missing from {shorter.path.name} "
                        "(every language must have the same sections)",
                    )
            raise KnowledgeError(
                other.path, 1, f"sections are in another order than in {reference.path.name}"
            )
