"""Answers, topics, help and insights as Block Kit messages with a plain `text` fallback.

Everything that reaches Slack passes through `fit`, which escapes `&`, `<` and `>` (so
`<!channel>`, `<!here>`, `<!everyone>` and `<@U...>` from a question or a knowledge file
arrive as text, never as live mentions) and keeps each field within Slack's limits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NewType

from bot.engine import Answer, Hit, Verdict
from bot.insight import Insight
from bot.knowledge import Section
from bot.knowledge.topics import topic_id
from bot.phrases import phrase
from bot.text import shorten

# Slack's documented limits (Block Kit reference).
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_TEXT = 3000
BUTTON_TEXT = 75
BUTTON_URL = 3000
# Our own cap for a title or sub-heading inside a section, so one odd title cannot crowd
# out the text under it.
TITLE_TEXT = 300
MAX_BLOCKS = 50
# `text` is what notifications and screen readers show; the blocks carry the whole answer.
FALLBACK_TEXT = 3000
# Our own caps: the nearest topics offered as buttons, and the glimpse of the best one.
TOPIC_BUTTONS = 5
CLOSEST_EXCERPT = 300

# The action id of the "watch the video" link button; its click is acked and ignored.
WATCH_ACTION = "townhall_watch_video"
# Topic buttons' action ids: this, then the button's place (ids are unique per message).
TOPIC_ACTION = "townhall_topic"
TOPIC_ACTIONS = re.compile(rf"^{TOPIC_ACTION}_\d+$")

# The 👍 / 👎 buttons under an answer; each carries the answer id as its value.
VOTE_ACTION = "townhall_vote"
VOTE_ACTIONS = re.compile(rf"^{VOTE_ACTION}_(up|down)$")
# The vote row's block id carries the answer's language ("townhall_vote:ko"), for the
# acknowledgement when the database cannot say it; rows sent before it carry none.
VOTE_BLOCK = re.compile(rf"^{VOTE_ACTION}:(?P<lang>[a-z]{{2}})$")
VOTE_LABELS = (("up", "👍"), ("down", "👎"))

Block = dict[str, Any]
# Text already escaped for Slack (entities for & < >, broadcast words broken): only `escape`
# and `fit` make it from raw text, so an unescaped string cannot reach a block by mistake.
Mrkdwn = NewType("Mrkdwn", str)

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPECIAL = re.compile(r"[&<>]")
# Plain "@channel" is not live without link_names, but a word joiner makes sure of it.
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage, chat.postEphemeral or response_url get: blocks and a fallback."""

    text: Mrkdwn
    blocks: tuple[Block, ...]

    def as_arguments(self) -> dict[str, Any]:
        """The `text` and `blocks` arguments of a Web API call."""
        return {"text": self.text, "blocks": list(self.blocks)}


def escape(raw: str) -> Mrkdwn:
    """`raw` with Slack's control characters escaped and broadcast words neutralised."""
    text = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], raw)
    return Mrkdwn(_BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text))


def as_typed(text: str) -> str:
    """What the member typed, from the text Slack sends, which escapes &, < and > (its
    own <...> sequences, mentions and links, are left for the core to remove)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fit(raw: str, limit: int) -> Mrkdwn:
    """`raw` escaped, cut (at a word when possible) so that the escaped text fits `limit`."""
    # Cut before escaping, counting the escaped length: an entity is never split.
    return escape(shorten(raw, limit, measure=lambda text: len(escape(text))))


def answer_message(
    answer: Answer, *, echo_question: bool = False, answer_id: str | None = None
) -> SlackMessage:
    """The answer to a question, one layout per verdict: the answer, the closest topics as
    buttons, or "not found" with the nearest topics (if any) as buttons.

    With `answer_id`, an answer or a closest reply ends with 👍 / 👎 buttons carrying it.
    """
    message = _answer_message(answer, echo_question=echo_question)
    if answer_id is None or not answer.rateable:
        return message
    return _message(message.text, [*message.blocks, _vote_buttons(answer_id, answer.lang)])


def vote_message(text: str, sections: Sequence[Section]) -> SlackMessage:
    """The private acknowledgement of a vote, with other topics to try as buttons."""
    blocks = [_section(text)]
    if sections:
        blocks += [
            _section(phrase("vote_other_topics", sections[0].lang)),
            _topic_buttons(sections),
        ]
    return _message(fit(text, FALLBACK_TEXT), blocks)


def _answer_message(answer: Answer, *, echo_question: bool) -> SlackMessage:
    lang = answer.lang
    blocks: list[Block] = []
    if echo_question:
        blocks.append(_context(phrase("you_asked", lang, question=answer.question)))
    best = answer.best
    if best is None or answer.verdict is Verdict.NONE:
        return _not_found(answer, blocks)
    if answer.verdict is Verdict.CLOSEST:
        return _closest(answer, blocks)
    section = best.section
    blocks += [
        _header(section.title),
        _section(best.excerpt),
        _context(phrase("section", lang, number=section.number)),
    ]
    button = _watch_button(section.url, lang)
    if button is not None:
        blocks.append(button)
    if answer.related:
        related = ", ".join(h.section.numbered_title for h in answer.related)
        blocks.append(_context(f"{phrase('related', lang)}: {related}"))
    return _message(_fallback(best), blocks)


def _fallback(best: Hit) -> Mrkdwn:
    return fit(f"{best.section.title}\n\n{best.excerpt}\n\n{best.section.url}", FALLBACK_TEXT)


def _closest(answer: Answer, blocks: list[Block]) -> SlackMessage:
    lang, best = answer.lang, answer.hits[0]
    title = phrase("closest_title", lang)
    glimpse = fit(best.excerpt, CLOSEST_EXCERPT)
    blocks += [
        _section(title),
        _mrkdwn_section(Mrkdwn(f"*{fit(best.section.numbered_title, TITLE_TEXT)}*\n{glimpse}")),
        _topic_buttons(h.section for h in answer.hits),
    ]
    titles = ", ".join(h.section.numbered_title for h in answer.hits)
    return _message(fit(f"{title}: {titles}", FALLBACK_TEXT), blocks)


def _not_found(answer: Answer, blocks: list[Block]) -> SlackMessage:
    lang, suggestions = answer.lang, tuple(h.section for h in answer.hits)
    not_found = phrase("not_found", lang)
    blocks.append(_section(not_found))
    if not suggestions:
        blocks.append(_section(phrase("slack_examples_hint", lang)))
        return _message(fit(not_found, FALLBACK_TEXT), blocks)
    blocks += [_section(phrase("try_topics", lang)), _topic_buttons(suggestions)]
    titles = ", ".join(s.numbered_title for s in suggestions)
    fallback = f"{not_found} {phrase('try_topics', lang)} {titles}"
    return _message(fit(fallback, FALLBACK_TEXT), blocks)


def topic_message(section: Section, document: str) -> SlackMessage:
    """One whole topic: its paragraphs under their sub-headings, and the video link."""
    lang = section.lang
    blocks: list[Block] = [_header(section.numbered_title)]
    heading: str | None = None
    for passage in section.passages:
        text = fit(passage.text, SECTION_TEXT - TITLE_TEXT)
        if passage.heading and passage.heading != heading:
            heading = passage.heading
            text = Mrkdwn(f"*{fit(heading, TITLE_TEXT - 4)}*\n{text}")
        blocks.append(_mrkdwn_section(text))
    # Room for the context and the button, whatever the length of the topic.
    blocks = blocks[: MAX_BLOCKS - 2]
    blocks.append(_context(f"{phrase('section', lang, number=section.number)} · {document}"))
    button = _watch_button(section.url, lang)
    if button is not None:
        blocks.append(button)
    return _message(fit(section.numbered_title, FALLBACK_TEXT), blocks)


def topic_value(section: Section) -> str:
    """What a topic button carries: the topic and its language ("talk:number:lang")."""
    return f"{topic_id(section)}:{section.lang}"


def topic_from_value(value: str) -> tuple[str, str]:
    """The topic id and the language a topic button carries (see `topic_value`)."""
    topic, _, lang = value.rpartition(":")
    return topic, lang


def help_message(langs: Sequence[str] = ("ko", "en")) -> SlackMessage:
    """How to ask, with example questions, in each of `langs` (both when unknown)."""
    blocks: list[Block] = [_header(" / ".join(phrase("help_title", lang) for lang in langs))]
    for lang in langs:
        questions = phrase("example_questions", lang).splitlines()
        examples = [Mrkdwn(f"• {escape(q)}") for q in questions]
        blocks.append(_section(phrase("slack_help", lang)))
        heading = Mrkdwn(f"*{escape(phrase('examples_heading', lang))}*")
        blocks.append(_mrkdwn_section(_lines_within([heading, *examples], SECTION_TEXT)))
    fallback = "\n".join(phrase("slack_help", lang) for lang in langs)
    return _message(fit(fallback, FALLBACK_TEXT), blocks)


def insight_message(insight: Insight) -> SlackMessage:
    """The daily insight: its number, the topic, the passage and the video link."""
    lang, section = insight.lang, insight.section
    title = phrase("insight_title", lang, number=insight.number)
    blocks: list[Block] = [
        _header(title),
        _mrkdwn_section(Mrkdwn(f"*{fit(section.title, SECTION_TEXT - 2)}*")),
        _section(insight.passage),
        _context(phrase("section", lang, number=section.number)),
    ]
    button = _watch_button(section.url, lang)
    if button is not None:
        blocks.append(button)
    return _message(fit(f"{title}: {section.title}", FALLBACK_TEXT), blocks)


def cooldown_message(seconds: float, langs: Sequence[str] = ("ko", "en")) -> SlackMessage:
    """The private "wait a moment" a member gets for asking again too soon."""
    wait = max(1, math.ceil(seconds))
    text = "\n".join(phrase("cooldown", lang, seconds=wait) for lang in langs)
    return _message(fit(text, FALLBACK_TEXT), [_section(text)])


def error_message(langs: Sequence[str] = ("ko", "en")) -> SlackMessage:
    """The apology a member sees when their answer could not be produced."""
    text = "\n".join(phrase("error", lang) for lang in langs)
    return _message(fit(text, FALLBACK_TEXT), [_section(text)])


def _message(text: Mrkdwn, blocks: list[Block]) -> SlackMessage:
    # Every renderer stays far below the cap; this keeps a bug from losing the whole message.
    return SlackMessage(text=text, blocks=tuple(blocks[:MAX_BLOCKS]))


def _header(raw: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": fit(raw, HEADER_TEXT)}}


def _section(raw: str) -> Block:
    return _mrkdwn_section(fit(raw, SECTION_TEXT))


def _mrkdwn_section(text: Mrkdwn) -> Block:
    # verbatim: no automatic linking of channel names or mentions in what we echo.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(raw: str) -> Block:
    text = {"type": "mrkdwn", "text": fit(raw, CONTEXT_TEXT), "verbatim": True}
    return {"type": "context", "elements": [text]}


def _topic_buttons(sections: Iterable[Section]) -> Block:
    buttons = [
        {
            "type": "button",
            "action_id": f"{TOPIC_ACTION}_{place}",
            "text": {"type": "plain_text", "text": fit(section.numbered_title, BUTTON_TEXT)},
            "value": topic_value(section),
        }
        for place, section in enumerate(sections)
        if place < TOPIC_BUTTONS
    ]
    return {"type": "actions", "elements": buttons}


def _vote_buttons(answer_id: str, lang: str) -> Block:
    buttons = [
        {
            "type": "button",
            "action_id": f"{VOTE_ACTION}_{vote}",
            "text": {"type": "plain_text", "text": label, "emoji": True},
            "value": answer_id,
        }
        for vote, label in VOTE_LABELS
    ]
    return {"type": "actions", "block_id": f"{VOTE_ACTION}:{lang}", "elements": buttons}


def _watch_button(url: str, lang: str) -> Block | None:
    if not url.startswith(("https://", "http://")) or len(url) > BUTTON_URL:
        return None
    label = {"type": "plain_text", "text": fit(phrase("watch", lang), BUTTON_TEXT)}
    button = {"type": "button", "action_id": WATCH_ACTION, "text": label, "url": url}
    return {"type": "actions", "elements": [button]}


def _lines_within(lines: Sequence[Mrkdwn], limit: int) -> Mrkdwn:
    """Whole lines joined within `limit`; the rest are left out.

    Lines are never cut: cutting could split an entity or a <url|label> link.
    """
    kept: list[str] = []
    length = -1
    for line in lines:
        if length + 1 + len(line) > limit:
            break
        kept.append(line)
        length += 1 + len(line)
    return Mrkdwn("\n".join(kept))
