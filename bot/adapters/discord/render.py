"""Answers, topics and insights as Discord messages, always within Discord's limits.

Renderers only lay out what the engine returned; they never rank or pick text. Every
message the bot sends allows no mentions, so a question or the knowledge cannot ping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.engine import Answer, Verdict
from bot.insight import Insight, InsightMark
from bot.knowledge import Section
from bot.knowledge.topics import topic_id
from bot.phrases import phrase
from bot.text import encodable, one_line, shorten

# Discord's limits (characters): https://discord.com/developers/docs/resources/message
CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
BUTTON_LABEL = 80
CHOICE = 100  # autocomplete choice name and value
CHOICES = 25  # autocomplete choices per response

# The question is echoed as a one-line quote: slash command options are not shown to the
# channel, so readers would not know what was asked.
QUESTION_QUOTE = 300
RELATED_BUTTONS = 2
# The best section's excerpt under a "not sure" reply is a glimpse, not an answer.
CLOSEST_EXCERPT = 300
COLOUR = discord.Colour(0x10A37F)

NO_MENTIONS = discord.AllowedMentions.none()

# Any scheme://..., ending before trailing punctuation (a link at the end of a sentence).
# What Discord may make live or preview: scheme://..., and without a scheme www.x or a
# domain with a path (an invite as discord.gg/abc is shown as an invite card).
_LINK = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/)"
    r"[^\s<>]*[^\s<>.,;:!?'\")\]]"
)
_BRACKET = re.compile(r"(?<!\\)[\[\]]")
# The insight's number at the end of its title, in either language ("... #7").
_TITLE_NUMBER = re.compile(r"#(\d+)$")


@dataclass(frozen=True)
class Link:
    """A link button."""

    label: str
    url: str


@dataclass(frozen=True)
class TopicLink:
    """A button that shows a whole topic to whoever clicks it."""

    section: Section
    label: str


@dataclass(frozen=True)
class Reply:
    """One message: optional text, one embed, and the buttons under it."""

    embed: discord.Embed
    content: str | None = None
    links: tuple[Link, ...] = ()
    topics: tuple[TopicLink, ...] = ()
    # The answer id the 👍 / 👎 buttons carry; None for a reply nobody rates.
    feedback: str | None = None


def answer_reply(answer: Answer, document: str) -> Reply:
    """The reply to /ask, one layout per verdict: the answer, the closest topics, or none."""
    best = answer.best
    if best is None or answer.verdict is Verdict.NONE:
        return off_topic_reply(answer)
    if answer.verdict is Verdict.CLOSEST:
        return closest_reply(answer)
    lang, section = answer.lang, best.section
    embed = _embed(title=section.title, url=section.url, description=best.excerpt)
    if answer.related:
        embed.add_field(
            name=phrase("related", lang),
            value=shorten(
                " · ".join(h.section.numbered_title for h in answer.related), FIELD_VALUE
            ),
            inline=False,
        )
    _footer(embed, f"{phrase('section', lang, number=section.number)} · {document}")
    return Reply(
        embed=_fit(embed),
        content=question_quote(answer.question),
        links=(Link(phrase("watch", lang), section.url),),
        topics=tuple(topic_link(h.section) for h in answer.related[:RELATED_BUTTONS]),
    )


def with_feedback(reply: Reply, answer: Answer, answer_id: str | None) -> Reply:
    """`reply` with 👍 / 👎 for `answer_id` when it answers or offers the closest topics."""
    if answer_id is None or not answer.rateable:
        return reply
    return dataclasses.replace(reply, feedback=answer_id)


def vote_reply(text: str, sections: Sequence[Section]) -> Reply:
    """The private acknowledgement of a vote, with other topics to try as buttons."""
    lines = []
    if sections:
        lines = [phrase("vote_other_topics", sections[0].lang)]
        lines += [f"• {s.numbered_title}" for s in sections]
    embed = _embed(title=text, description="\n".join(lines))
    return Reply(embed=_fit(embed), topics=tuple(topic_link(s) for s in sections))


def closest_reply(answer: Answer) -> Reply:
    """A "not sure the Town Hall answers exactly this" reply: a glimpse of the best section
    and a button for each of the nearest topics.
    """
    lang, best = answer.lang, answer.hits[0]
    glimpse = shorten(best.excerpt, CLOSEST_EXCERPT)
    embed = _embed(
        title=phrase("closest_title", lang),
        description=f"**{best.section.numbered_title}**\n{glimpse}",
    )
    return Reply(
        embed=_fit(embed),
        content=question_quote(answer.question),
        topics=tuple(topic_link(h.section) for h in answer.hits),
    )


def off_topic_reply(answer: Answer) -> Reply:
    """A friendly "not in the Town Hall" with the nearest topics as buttons, if any."""
    lang, suggestions = answer.lang, tuple(h.section for h in answer.hits)
    lines = (
        [phrase("try_topics", lang), *(f"• {s.numbered_title}" for s in suggestions)]
        if suggestions
        else [phrase("all_topics_hint", lang)]
    )
    embed = _embed(title=phrase("not_found", lang), description="\n".join(lines))
    return Reply(
        embed=_fit(embed),
        content=question_quote(answer.question),
        topics=tuple(topic_link(s) for s in suggestions),
    )


def topics_reply(topics: Sequence[Section], lang: str, document: str) -> Reply:
    """The numbered list of topics, in one embed."""
    lines = [f"**{s.number}.** {s.title}" for s in topics]
    embed = _embed(title=phrase("topics_heading", lang), description="\n".join(lines))
    _footer(embed, document)
    links = (Link(phrase("watch", lang), topics[0].video_url),) if topics else ()
    return Reply(embed=_fit(embed), links=links)


def topic_reply(section: Section, document: str) -> Reply:
    """One whole topic: its paragraphs under their sub-headings, and the video link."""
    parts: list[str] = []
    heading: str | None = None
    for passage in section.passages:
        if passage.heading and passage.heading != heading:
            parts.append(f"**{passage.heading}**")
            heading = passage.heading
        parts.append(passage.text)
    embed = _embed(
        title=section.numbered_title,
        url=section.url,
        description="\n\n".join(parts),
    )
    _footer(embed, f"{phrase('section', section.lang, number=section.number)} · {document}")
    return Reply(embed=_fit(embed), links=(Link(phrase("watch", section.lang), section.url),))


def insight_reply(insight: Insight, *, marked: bool = False) -> Reply:
    """Today's insight; `marked` ends the footer with `insight.key` (the daily post's mark)."""
    lang, section = insight.lang, insight.section
    embed = _embed(
        title=phrase("insight_title", lang, number=insight.number),
        url=section.url,
        description=f"**{section.title}**\n\n{insight.passage}",
    )
    topic = phrase("section", lang, number=section.number)
    # The key goes last and whole, so the publisher can find its post again by it.
    _footer(embed, f"{topic} · {insight.key}" if marked else f"{topic} · {insight.day.isoformat()}")
    return Reply(
        embed=_fit(embed),
        links=(Link(phrase("watch", lang), section.url),),
        topics=(topic_link(section, phrase("read_topic", lang)),),
    )


def marked_day(embed: discord.Embed) -> dt.date | None:
    """The day of an insight post marked by `insight_reply(..., marked=True)`, if it is one."""
    key = (embed.footer.text or "").rsplit(" · ", 1)[-1]
    if key.count("/") != 2:
        return None
    try:
        return dt.date.fromisoformat(key.split("/", 1)[0])
    except ValueError:
        return None


def insight_mark(embed: discord.Embed) -> InsightMark | None:
    """The day and number of a marked insight post (`insight_reply(..., marked=True)`)."""
    key = (embed.footer.text or "").rsplit(" · ", 1)[-1]
    number = _TITLE_NUMBER.search(embed.title or "")
    if number is None:
        return None
    try:
        return InsightMark.read(key, int(number.group(1)))
    except ValueError:
        return None


def notice(text: str) -> str:
    """A short private notice (cooldown, errors) as message content."""
    return shorten(text, CONTENT)


def question_quote(question: str) -> str:
    """The member's question as one quoted line, markdown shown as typed.

    A link in it is shown as inline code, which Discord neither links nor previews (a
    member's link never goes out live), and brackets are escaped so no masked link
    ([text](url)) can hide where one goes.
    """
    line = shorten(one_line(encodable(question)), QUESTION_QUOTE)
    parts: list[str] = []
    last = 0
    for link in _LINK.finditer(line):
        # A backtick would end the code span early; U+02CB looks the same and cannot.
        parts += [_as_typed(line[last : link.start()]), f"`{link.group().replace('`', 'ˋ')}`"]
        last = link.end()
    parts.append(_as_typed(line[last:]))
    return shorten("> " + "".join(parts), CONTENT)


def _as_typed(text: str) -> str:
    escaped = discord.utils.escape_markdown(text)
    return _BRACKET.sub(lambda m: "\\" + m.group(), escaped)


def topic_choices(topics: Sequence[Section]) -> list[tuple[str, str]]:
    """Autocomplete choices (name, value) for these topics, within Discord's limits."""
    return [(shorten(s.numbered_title, CHOICE), topic_id(s)) for s in topics[:CHOICES]]


def topic_link(section: Section, label: str | None = None) -> TopicLink:
    """The button for `section`, labelled "N. title" unless another label is given."""
    return TopicLink(section, shorten(label or section.numbered_title, BUTTON_LABEL))


def _embed(*, title: str, description: str, url: str | None = None) -> discord.Embed:
    return discord.Embed(
        title=shorten(title, TITLE),
        url=url,
        description=shorten(description, DESCRIPTION),
        colour=COLOUR,
    )


def _footer(embed: discord.Embed, text: str) -> None:
    embed.set_footer(text=shorten(text, FOOTER))


def _fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the description so the whole embed stays within Discord's total."""
    overflow = len(embed) - EMBED_TOTAL
    if overflow > 0 and embed.description:
        embed.description = shorten(embed.description, max(1, len(embed.description) - overflow))
    return embed
