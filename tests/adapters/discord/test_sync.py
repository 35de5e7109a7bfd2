"""Commands sync on start only when they changed, to the test guild when one is set."""

from __future__ import annotations

from bot.adapters.discord.sync import sync_key
from bot.store.store import Store
from tests.adapters.discord.conftest import BotFactory, running
from tests.fakes.discord_api import APP_ID, GUILD_ID, FakeDiscord

GLOBAL = rf"/applications/{APP_ID}/commands"
GUILD = rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"


async def test_first_start_syncs_english_commands_with_korean_descriptions(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot()):
        pass

    (sync,) = fake.find_calls("PUT", GLOBAL)
    commands = {c["name"]: c for c in sync.body}
    assert sorted(commands) == ["ask", "insight", "topic", "topics"]
    ask = commands["ask"]
    assert ask["description"] == "Ask about the OpenAI Town Hall (January 2026)"
    assert ask["description_localizations"] == {
        "ko": "OpenAI Town Hall(2026년 1월)에 대해 질문하기"
    }
    assert not ask.get("name_localizations")
    question, private = ask["options"]
    assert (question["name"], question["required"], question["max_length"]) == (
        "question",
        True,
        1000,
    )
    assert question["description_localizations"] == {"ko": "질문 (한국어 또는 영어)"}
    assert (private["name"], private["type"], private.get("required", False)) == (
        "private",
        5,
        False,
    )
    assert commands["topic"]["options"][0]["autocomplete"] is True


async def test_second_start_with_the_same_commands_does_not_sync(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot()):
        pass
    async with running(make_bot()):
        pass

    assert len(fake.find_calls("PUT", GLOBAL)) == 1


async def test_commands_changed_since_the_last_sync_are_synced(
    fake: FakeDiscord, make_bot: BotFactory, state: Store
) -> None:
    state.values.set(sync_key(APP_ID, None), "hash of an older set of commands")

    async with running(make_bot()):
        pass

    assert len(fake.find_calls("PUT", GLOBAL)) == 1
    assert state.values.get(sync_key(APP_ID, None)) != "hash of an older set of commands"


async def test_guild_id_syncs_to_that_guild_only(fake: FakeDiscord, make_bot: BotFactory) -> None:
    async with running(make_bot(guild_id=GUILD_ID)):
        pass

    (sync,) = fake.find_calls("PUT", GUILD)
    assert sorted(c["name"] for c in sync.body) == ["ask", "insight", "topic", "topics"]
    assert fake.find_calls("PUT", GLOBAL) == []


async def test_failed_sync_still_answers_and_is_tried_again_next_start(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    fake.fail_next("PUT", GLOBAL, 403)

    async with running(make_bot()):
        interaction = fake.slash("topics")
        await fake.interact(interaction)
        reply = await fake.response_to(interaction)
    async with running(make_bot()):
        pass

    assert reply["data"]["embeds"][0]["title"] == "Town Hall topics"
    assert [c.status for c in fake.find_calls("PUT", GLOBAL)] == [403, 200]
