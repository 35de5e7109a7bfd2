"""What members ask on Discord and Slack, and how they rate the answers (issue 12).

The adapters translate a platform's event into an `Asked` or a `Ballot` and hand it to the
`UsageRecorder`; the recorder writes through the store's lane. `townhall stats` reads it back.
"""

from bot.usage.recorder import ANSWER_ID, UsageRecorder, VoteOutcome, vote_keys
from bot.usage.records import Asked, Ballot, ChannelKind, Vote, sections_named
from bot.usage.retention import QuestionRetention

__all__ = [
    "ANSWER_ID",
    "Asked",
    "Ballot",
    "ChannelKind",
    "QuestionRetention",
    "UsageRecorder",
    "Vote",
    "VoteOutcome",
    "sections_named",
    "vote_keys",
]
