"""The hostile suite attacks the real adapters through the same fixtures as their own tests."""

from tests.adapters.discord.conftest import (  # noqa: F401 - fixtures, used by name
    bot,
    bot_clock,
    fake,
    make_bot,
    state,
    store_lane,
)
from tests.adapters.slack.conftest import (  # noqa: F401 - fixtures, used by name
    clock,
    http_bot,
    no_task_left_behind,
    policy,
    slack,
    socket_bot,
)
