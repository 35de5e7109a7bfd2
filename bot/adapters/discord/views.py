"""The buttons under the bot's messages: links, and topic buttons that work after a restart.

A topic button carries everything it needs in its custom id (the topic, its language,
whether to show it publicly or only to whoever clicks, and a mark of its title), so clicks
are handled by the `TopicButton` class registered on the client, not by a view kept in
memory.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.adapters.discord.render import Reply, TopicLink
from bot.knowledge.topics import TITLE_MARK_CHARS, title_mark
from bot.usage import ANSWER_ID, Vote

# Buttons sent before the visibility was part of the id end at the language: private.
# Those sent before the title's mark was show the topic their number names now.
TOPIC_BUTTON = re.compile(
    r"townhall:topic:(?P<talk>[\w.-]{1,60}):(?P<number>\d{1,4}):(?P<lang>[a-z]{2})"
    rf"(?::(?P<shown>public|private)(?::(?P<mark>[0-9a-f]{{{TITLE_MARK_CHARS}}}))?)?"
)


@runtime_checkable
class ShowsTopics(Protocol):
    """A client that can show a topic to whoever clicked a topic button."""

    async def show_topic(
        self,
        interaction: discord.Interaction[Any],
        talk: str,
        number: int,
        lang: str,
        *,
        public: bool,
        mark: str | None = None,
    ) -> None:
        """Answer the click with the whole topic, publicly or to the clicker only (the
        topic whose title has `mark`, should the number now name another)."""
        ...


class TopicButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=TOPIC_BUTTON
):
    """A button that shows one topic: as a public reply, or privately to whoever clicks it."""

    def __init__(
        self,
        talk: str,
        number: int,
        lang: str,
        label: str,
        *,
        public: bool,
        mark: str | None = None,
    ) -> None:
        shown = "public" if public else "private"
        marked = "" if mark is None else f":{mark}"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"townhall:topic:{talk}:{number}:{lang}:{shown}{marked}",
            )
        )
        self.talk = talk
        self.number = number
        self.lang = lang
        self.public = public
        self.mark = mark

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TopicButton:
        """The button as it was sent, rebuilt from its custom id."""
        label = getattr(item, "label", None) or match["talk"]
        public = match["shown"] == "public"
        number, mark = int(match["number"]), match["mark"]
        return cls(match["talk"], number, match["lang"], label, public=public, mark=mark)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the topic (the client decides how)."""
        if isinstance(interaction.client, ShowsTopics):
            await interaction.client.show_topic(
                interaction, self.talk, self.number, self.lang, public=self.public, mark=self.mark
            )


VOTE_BUTTON = re.compile(rf"townhall:vote:(?P<answer>{ANSWER_ID.pattern}):(?P<vote>up|down)")
VOTE_EMOJI = {Vote.UP: "👍", Vote.DOWN: "👎"}


@runtime_checkable
class TakesVotes(Protocol):
    """A client that records a member's 👍 / 👎 on an answer and tells them privately."""

    async def take_vote(
        self, interaction: discord.Interaction[Any], answer_id: str, vote: Vote
    ) -> None:
        """Record the vote and acknowledge it to the member only."""
        ...


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=VOTE_BUTTON):
    """👍 or 👎 under an answer; the answer id is in the custom id, so it survives restarts."""

    def __init__(self, answer_id: str, vote: Vote) -> None:
        super().__init__(
            discord.ui.Button(
                emoji=VOTE_EMOJI[vote],
                style=discord.ButtonStyle.secondary,
                custom_id=f"townhall:vote:{answer_id}:{vote.value}",
                row=1,
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        """The button as it was sent, rebuilt from its custom id."""
        return cls(match["answer"], Vote(match["vote"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the vote (the client decides how)."""
        if isinstance(interaction.client, TakesVotes):
            await interaction.client.take_vote(interaction, self.answer_id, self.vote)


def view_for(reply: Reply, *, public: bool) -> discord.ui.View | None:
    """The buttons of `reply` (links first), or None when it has none.

    `public`: whether a topic button shows its topic to everyone (the reply was public) or
    only to whoever clicks (the reply was private, or is a post nobody asked for).
    """
    if not reply.links and not reply.topics and reply.feedback is None:
        return None
    view = discord.ui.View(timeout=None)
    for link in reply.links:
        view.add_item(discord.ui.Button(label=link.label, url=link.url))
    for topic in reply.topics:
        view.add_item(_topic_button(topic, public=public))
    if reply.feedback is not None:
        for vote in Vote:
            view.add_item(VoteButton(reply.feedback, vote))
    return view


def _topic_button(topic: TopicLink, *, public: bool) -> TopicButton:
    section = topic.section
    mark = title_mark(section)
    return TopicButton(
        section.talk, section.number, section.lang, topic.label, public=public, mark=mark
    )
