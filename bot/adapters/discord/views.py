"""The buttons under the bot's messages: links, and topic buttons that work after a restart.

A topic button carries everything it needs in its custom id, so clicks are handled by the
`TopicButton` class registered on the client, not by a view kept in memory.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.adapters.discord.render import Reply, TopicLink

TOPIC_BUTTON = re.compile(
    r"townhall:topic:(?P<talk>[\w.-]{1,60}):(?P<number>\d{1,4}):(?P<lang>[a-z]{2})"
)


@runtime_checkable
class ShowsTopics(Protocol):
    """A client that can show a topic to whoever clicked a topic button."""

    async def show_topic(
        self, interaction: discord.Interaction[Any], talk: str, number: int, lang: str
    ) -> None:
        """Answer the click with the whole topic."""
        ...


class TopicButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=TOPIC_BUTTON
):
    """A button that shows one topic, privately, to whoever clicks it."""

    def __init__(self, talk: str, number: int, lang: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"townhall:topic:{talk}:{number}:{lang}",
            )
        )
        self.talk = talk
        self.number = number
        self.lang = lang

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
        return cls(match["talk"], int(match["number"]), match["lang"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the topic (the client decides how)."""
        if isinstance(interaction.client, ShowsTopics):
            await interaction.client.show_topic(interaction, self.talk, self.number, self.lang)


def view_for(reply: Reply) -> discord.ui.View | None:
    """The buttons of `reply` (links first), or None when it has none."""
    if not reply.links and not reply.topics:
        return None
    view = discord.ui.View(timeout=None)
    for link in reply.links:
        view.add_item(discord.ui.Button(label=link.label, url=link.url))
    for topic in reply.topics:
        view.add_item(_topic_button(topic))
    return view


def _topic_button(topic: TopicLink) -> TopicButton:
    section = topic.section
    return TopicButton(section.talk, section.number, section.lang, topic.label)
