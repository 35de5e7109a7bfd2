"""The slash commands: read the interaction, ask the engine, render, reply.

/ask, /topics, /topic (with autocomplete) and /insight. Command names stay English; their
descriptions are translated for Korean clients by `KoreanTranslator`. The answer language
follows the question, and the member's locale when the question has no letters.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord.render import (
    NO_MENTIONS,
    Reply,
    answer_reply,
    insight_reply,
    notice,
    topic_choices,
    topic_reply,
    topics_reply,
    vote_reply,
    with_feedback,
)
from bot.adapters.discord.views import view_for
from bot.answers import Answers
from bot.clock import Clock
from bot.engine import Answer, QuestionError
from bot.engine.question import MAX_ANALYZED_CHARS
from bot.insight.daily import DailyInsights, InsightUnavailableError
from bot.knowledge import Section
from bot.knowledge.topics import find_topic, marked_topic, matching_topics
from bot.pace import ANSWER, SHOWN, Pace
from bot.phrases import phrase
from bot.runtime import InFlight
from bot.usage import Asked, Ballot, ChannelKind, UsageRecorder, Vote
from bot.usage.feedback import acknowledge

log = logging.getLogger(__name__)

# Discord drops an interaction not answered within 3 s; past this much time the answer is
# deferred ("thinking...") and sent when ready. The same holds for a vote or /insight
# waiting on a busy database (up to its 5 s timeout).
ANSWER_BUDGET = 1.5

_T = TypeVar("_T")
# Discord refuses longer text in the option; the engine reads no more than this anyway.
MAX_QUESTION = MAX_ANALYZED_CHARS


def member_lang(interaction: discord.Interaction[Any]) -> str:
    """The member's language as the engine knows it ("ko" or "en") from their client locale."""
    return "ko" if interaction.locale is discord.Locale.korean else "en"


THREADS = frozenset(
    {
        discord.ChannelType.public_thread,
        discord.ChannelType.private_thread,
        discord.ChannelType.news_thread,
    }
)


def channel_kind(interaction: discord.Interaction[Any], *, private: bool) -> ChannelKind:
    """Where the interaction came from, as the usage records name it."""
    if private:
        return ChannelKind.PRIVATE
    if interaction.guild_id is None:
        return ChannelKind.DM
    if getattr(interaction.channel, "type", None) in THREADS:
        return ChannelKind.THREAD
    return ChannelKind.CHANNEL


def localized(key: str) -> app_commands.locale_str:
    """A command or option description: English, and Korean through `KoreanTranslator`."""
    return app_commands.locale_str(phrase(key, "en"), phrase=key)


class KoreanTranslator(app_commands.Translator):
    """Korean command and option descriptions from bot/phrases.py."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The Korean phrase for Korean clients; None (the English text) for the others."""
        key = string.extras.get("phrase")
        if locale is discord.Locale.korean and isinstance(key, str):
            return phrase(key, "ko")
        return None


class TownhallCommands:
    """What each command does; `build_tree` wires these to slash commands."""

    def __init__(
        self,
        answers: Answers,
        daily: DailyInsights,
        clock: Clock,
        *,
        answer_budget: float = ANSWER_BUDGET,
        in_flight: InFlight | None = None,
        usage: UsageRecorder | None = None,
        pace: Pace | None = None,
    ) -> None:
        self.answers = answers
        self.pace = pace or Pace(clock, 0)
        self.in_flight = in_flight or InFlight()
        self.usage = usage
        self.knowledge = answers.knowledge
        self.daily = daily
        self.clock = clock
        self.answer_budget = answer_budget

    async def ask(
        self, interaction: discord.Interaction[Any], question: str, private: bool
    ) -> None:
        """/ask: the section that answers the question, or topics to try."""
        lang = member_lang(interaction)
        if not self.in_flight.accepting:
            await self._notice(interaction, phrase("restarting", lang))
            return
        with self.in_flight.job(f"discord interaction {interaction.id}"):
            await self._ask(interaction, question, private, lang)

    async def _ask(
        self, interaction: discord.Interaction[Any], question: str, private: bool, lang: str
    ) -> None:
        try:
            answer = await self._in_time(interaction, self.answers.ask(question, lang), private)
        except QuestionError:
            example = phrase("example_question", lang)
            await self._notice(interaction, phrase("empty_question", lang, example=example))
            return
        if not private and not await self._may_post(interaction, lang, ANSWER):
            return
        answer_id = self._record(interaction, answer, private=private)
        reply = with_feedback(self._answer_reply(answer), answer, answer_id)
        if private:
            await self._send(interaction, reply, ephemeral=True)
        else:
            await self._send_public(interaction, reply, ANSWER)

    async def topics(self, interaction: discord.Interaction[Any]) -> None:
        """/topics: every topic, numbered."""
        lang = member_lang(interaction)
        if not await self._may_post(interaction, lang, SHOWN):
            return
        knowledge = self.knowledge
        topics = knowledge.topics(lang)
        document = knowledge.document_title(knowledge.default_talk, knowledge.language(lang))
        await self._send_public(interaction, topics_reply(topics, lang, document), SHOWN)

    async def topic(self, interaction: discord.Interaction[Any], name: str) -> None:
        """/topic: one whole topic, chosen by autocomplete or typed."""
        lang = member_lang(interaction)
        section = find_topic(self.knowledge, name, lang)
        if section is None:
            await self._notice(interaction, phrase("topic_not_found", lang, name=name))
            return
        if not await self._may_post(interaction, lang, SHOWN):
            return
        await self._send_public(interaction, self._topic_reply(section), SHOWN)

    async def topic_names(
        self, interaction: discord.Interaction[Any], typed: str
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete for /topic: titles in the member's language; both languages match."""
        topics = matching_topics(self.knowledge, typed, member_lang(interaction))
        return [
            app_commands.Choice(name=name, value=value) for name, value in topic_choices(topics)
        ]

    async def insight(self, interaction: discord.Interaction[Any]) -> None:
        """/insight: today's insight, the same one the daily post uses."""
        lang = member_lang(interaction)
        try:
            today = await self._in_time(interaction, self.daily.today_in(lang), private=False)
        except InsightUnavailableError:
            # Answers need no database; the insight's number does. Say so, privately.
            await self._notice(interaction, phrase("insight_unavailable", lang))
            return
        if not await self._may_post(interaction, lang, SHOWN):
            return
        await self._send_public(interaction, insight_reply(today), SHOWN)

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
        """A topic button was clicked: show that topic, as visibly as the message it was on.

        `mark` (a hash of the title on the button) finds the topic the label names after an
        edit renumbered the topics; a topic no longer in the knowledge gets a notice.
        """
        try:
            section = marked_topic(self.knowledge, talk, number, lang, mark)
            if section is None:
                await self._notice(interaction, phrase("topic_gone", lang))
                return
            if public and not await self._may_post(interaction, member_lang(interaction), SHOWN):
                return
            if public:
                await self._send_public(interaction, self._topic_reply(section), SHOWN)
            else:
                await self._send(interaction, self._topic_reply(section), ephemeral=True)
        except Exception as error:  # noqa: BLE001 - the one boundary for button clicks
            await self.on_error(interaction, error)

    async def vote(self, interaction: discord.Interaction[Any], answer_id: str, vote: Vote) -> None:
        """A 👍 / 👎 was clicked: record it, acknowledge it privately; a 👎 offers other topics."""
        try:
            ballot = Ballot(answer_id, "discord", str(interaction.user.id), vote)
            said = await self._in_time(
                interaction,
                acknowledge(self.usage, self.knowledge, ballot, member_lang(interaction)),
                private=True,
            )
            if not said.kept:
                await self._notice(interaction, said.text)
                return
            await self._send(interaction, vote_reply(said.text, said.others), ephemeral=True)
        except Exception as error:  # noqa: BLE001 - the one boundary for button clicks
            await self.on_error(interaction, error)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """A failure is logged and the member gets an apology (never one after their answer)."""
        lang = member_lang(interaction)
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "component"
        if isinstance(original, _CONNECTION_ERRORS) and await _answer_shown(interaction):
            # The reply reached Discord and only its acknowledgement was lost: an apology
            # now would replace the answer the member already sees.
            log.warning(
                "interaction %s (%s): the connection failed after the reply was shown (%s)",
                interaction.id,
                command,
                type(original).__name__,
            )
            return
        log.error(
            "interaction %s (%s) failed: %s",
            interaction.id,
            command,
            type(original).__name__,
            exc_info=original,
        )
        try:
            await self._notice(interaction, phrase("error", lang))
        except Exception as failure:  # noqa: BLE001 - the last resort: nothing is left to tell
            # Whatever sending fails with (a refusal, a reset, a closed session), the
            # failure above is logged already; raising here would only add a traceback.
            log.warning(
                "interaction %s: could not send the apology (%s: %s)",
                interaction.id,
                type(failure).__name__,
                failure,
            )

    def _record(
        self, interaction: discord.Interaction[Any], answer: Answer, *, private: bool
    ) -> str | None:
        """Hand the question to the usage recorder (in the background); the answer's id."""
        if self.usage is None:
            return None
        answer_id = self.usage.new_answer_id()
        guild = None if interaction.guild_id is None else str(interaction.guild_id)
        kind = channel_kind(interaction, private=private)
        self.usage.record(Asked(answer_id, "discord", guild, kind, answer))
        return answer_id

    def _answer_reply(self, answer: Answer) -> Reply:
        best = answer.best
        section = best.section if best else None
        document = self.knowledge.document_title(section.talk, section.lang) if section else ""
        return answer_reply(answer, document)

    def _topic_reply(self, section: Section) -> Reply:
        document = self.knowledge.document_title(section.talk, section.lang)
        return topic_reply(section, document)

    async def _may_post(self, interaction: discord.Interaction[Any], lang: str, kind: str) -> bool:
        """Whether a public reply of `kind` may go for the member now; if not, they are told
        privately how long to wait. Asked just before posting: a private notice (nothing
        found, an error) never uses up the member's cooldown."""
        wait = self.pace.wait(str(interaction.user.id), kind)
        if wait > 0:
            await self._notice(
                interaction, phrase("cooldown", lang, seconds=max(1, math.ceil(wait)))
            )
        return wait <= 0

    async def _in_time(
        self, interaction: discord.Interaction[Any], work: Awaitable[_T], private: bool
    ) -> _T:
        """`work`'s result; the reply is deferred ("thinking...") if it outlasts the budget."""
        running = asyncio.ensure_future(work)
        if not await self._within_budget(running):
            await _defer(interaction, private=private)
        return await running

    async def _within_budget(self, work: asyncio.Future[Any]) -> bool:
        """Whether `work` finished within the answer budget (on the clock)."""
        if self.answer_budget <= 0:
            return False
        timer = asyncio.ensure_future(self.clock.sleep(self.answer_budget))
        racing: list[asyncio.Future[Any]] = [work, timer]
        try:
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        return work.done()

    async def _send_public(
        self, interaction: discord.Interaction[Any], reply: Reply, kind: str
    ) -> None:
        """Send a public reply counted by the cooldown; one that fails is not counted."""
        try:
            await self._send(interaction, reply, ephemeral=False)
        except BaseException:
            self.pace.release(str(interaction.user.id), kind)
            raise

    async def _send(
        self, interaction: discord.Interaction[Any], reply: Reply, *, ephemeral: bool
    ) -> None:
        # The reply's topic buttons show their topic as visibly as the reply itself.
        view = view_for(reply, public=not ephemeral)
        content = reply.content
        if interaction.response.is_done():  # deferred: fill in the "thinking..." message
            await interaction.edit_original_response(
                content=content, embed=reply.embed, view=view, allowed_mentions=NO_MENTIONS
            )
        elif view is None:
            await interaction.response.send_message(
                content, embed=reply.embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                content,
                embed=reply.embed,
                view=view,
                ephemeral=ephemeral,
                allowed_mentions=NO_MENTIONS,
            )
        if view is not None:
            # Clicks are handled by the registered TopicButton class; nothing to keep.
            view.stop()

    async def _notice(self, interaction: discord.Interaction[Any], message: str) -> None:
        """A private notice, whatever state the interaction is in."""
        content = notice(message)
        response = interaction.response
        if not response.is_done():
            await response.send_message(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if response.type is discord.InteractionResponseType.deferred_channel_message:
            # The "thinking..." placeholder may be public: remove it, then answer privately.
            await interaction.delete_original_response()
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS)


# What a reply may fail with although Discord received it (the answer lost on the way back).
_CONNECTION_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)


# Discord's code for a second response to one interaction.
ALREADY_ACKNOWLEDGED = 40060


async def _defer(interaction: discord.Interaction[Any], *, private: bool) -> None:
    """Show "thinking..."; if Discord took it but its reply was lost, go on as deferred."""
    try:
        await interaction.response.defer(ephemeral=private, thinking=True)
    except (discord.HTTPException, *_CONNECTION_ERRORS) as error:
        # A lost reply, or a retry of it that Discord refuses as a second response.
        if isinstance(error, discord.HTTPException) and error.code != ALREADY_ACKNOWLEDGED:
            raise
        if not await _thinking_shown(interaction):
            raise
        log.warning(
            "interaction %s: the deferral reached Discord but its reply was lost (%s)",
            interaction.id,
            type(error).__name__,
        )
        # discord.py counts a response as done only once it hears back. Without this, the
        # answer would go as a second response (refused: already acknowledged) and the
        # member would see "thinking..." forever, instead of the answer replacing it.
        deferred = discord.InteractionResponseType.deferred_channel_message
        interaction.response._response_type = deferred


async def _thinking_shown(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction's original response is the "thinking..." placeholder."""
    try:
        message = await interaction.original_response()
    except (discord.HTTPException, *_CONNECTION_ERRORS):
        return False
    return message.flags.loading


async def _answer_shown(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction's original response is a finished message (not "thinking")."""
    try:
        message = await interaction.original_response()
    except (discord.HTTPException, *_CONNECTION_ERRORS):
        return False
    return not message.flags.loading and bool(message.embeds or message.content)


def build_tree(
    client: discord.Client, commands: TownhallCommands
) -> app_commands.CommandTree[discord.Client]:
    """The command tree with every slash command, errors routed to `commands.on_error`."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @app_commands.command(name="ask", description=localized("command_ask"))
    @app_commands.describe(
        question=localized("option_question"), private=localized("option_private")
    )
    async def ask(
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, MAX_QUESTION],
        private: bool = False,
    ) -> None:
        await commands.ask(interaction, question, private)

    @app_commands.command(name="topics", description=localized("command_topics"))
    async def topics(interaction: discord.Interaction[Any]) -> None:
        await commands.topics(interaction)

    @app_commands.command(name="topic", description=localized("command_topic"))
    @app_commands.describe(name=localized("option_topic"))
    async def topic(interaction: discord.Interaction[Any], name: str) -> None:
        await commands.topic(interaction, name)

    @topic.autocomplete("name")
    async def topic_names(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await commands.topic_names(interaction, current)

    @app_commands.command(name="insight", description=localized("command_insight"))
    async def insight(interaction: discord.Interaction[Any]) -> None:
        await commands.insight(interaction)

    tree.add_command(ask)
    tree.add_command(topics)
    tree.add_command(topic)
    tree.add_command(insight)
    tree.error(commands.on_error)
    return tree
