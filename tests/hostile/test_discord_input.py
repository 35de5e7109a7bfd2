"""What a member types into /ask and /topic, shown back to a channel: inert, whatever it is."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.adapters.discord import TownhallClient
from tests.fakes.discord_api import FakeDiscord

EPHEMERAL = 64
# Inline code: Discord neither links nor previews what is inside it.
CODE_SPAN = re.compile(r"(?<!\\)`[^`]*`")
# A scheme://... that Discord would turn into a live link.
LINK = re.compile(r"\b[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


async def ask(fake: FakeDiscord, question: str, **options: Any) -> dict[str, Any]:
    interaction = fake.slash("ask", {"question": question, **options})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)
    return dict(reply["data"])


@pytest.mark.parametrize(
    "question",
    [
        "what about hiring? https://evil.example/phish?x=1",
        "hiring (see https://evil.example/a_b_c).",
        "[click for the answer](https://evil.example) hiring?",
        "[hiring](<https://evil.example>)",
        "steam://run/123 hiring",
        "hiring http://evil.example/" + "a" * 400,
        "<https://evil.example> hiring",
    ],
)
async def test_a_link_in_a_public_question_is_shown_as_text_never_live_or_masked(
    fake: FakeDiscord, bot: TownhallClient, question: str
) -> None:
    message = await ask(fake, question)

    content = message["content"]
    assert message.get("flags", 0) & EPHEMERAL == 0  # others see it
    assert content.startswith("> ")
    assert LINK.search(CODE_SPAN.sub("", content)) is None, content
    assert MASKED_LINK.search(content) is None, content
    assert message["allowed_mentions"] == {"parse": []}


# Without a scheme: an invite (shown as an invite card), www., a domain with a path.
BARE_LINK = re.compile(r"www\.|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/", re.IGNORECASE)


@pytest.mark.parametrize(
    "question",
    [
        "join discord.gg/abcdef for more hiring talk",
        "hiring? discord.com/invite/abcdef",
        "www.evil.example hiring",
        "hiring evil.example/phish",
    ],
)
async def test_a_link_without_a_scheme_is_shown_as_text_too(
    fake: FakeDiscord, bot: TownhallClient, question: str
) -> None:
    message = await ask(fake, question)

    content = message["content"]
    assert content.startswith("> ")
    assert BARE_LINK.search(CODE_SPAN.sub("", content)) is None, content


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("```python\nimport os``` hiring", r"> \`\`\`python import os\`\`\` hiring"),
        ("# Heading\n> quote\n- item hiring", r"> \# Heading > quote - item hiring"),
        (
            "||spoiler|| ~~gone~~ __under__ hiring",
            r"> \|\|spoiler\|\| \~\~gone\~\~ \_\_under\_\_ hiring",
        ),
    ],
)
async def test_markup_in_a_question_is_quoted_as_typed(
    fake: FakeDiscord, bot: TownhallClient, question: str, quoted: str
) -> None:
    message = await ask(fake, question)

    assert message["content"] == quoted


@pytest.mark.parametrize("question", ["채용 \udceb 어떻게?", "\ud800", "hiring\udfff?"])
async def test_invalid_bytes_in_a_question_get_a_clean_reply(
    fake: FakeDiscord, bot: TownhallClient, question: str
) -> None:
    # discord.py decodes the gateway's JSON, where "\udceb" is a lone surrogate.
    message = await ask(fake, question)

    assert message["content"].startswith("> ")
    assert "\ufffd" in message["content"]
    assert message["embeds"], message  # an answer or "not found", never an apology
    assert "Sorry" not in str(message)


async def test_a_whole_topic_typed_with_markup_finds_nothing_and_quotes_nothing_live(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.slash("topic", {"name": "@everyone https://evil.example **x**"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["allowed_mentions"] == {"parse": []}
