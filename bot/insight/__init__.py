"""The daily insight: which section a date gets, and the passage that carries its point."""

from bot.insight.pick import Insight, insight_for, insight_passage
from bot.insight.publisher import InsightMark, InsightPublisher, PublishError

__all__ = [
    "Insight",
    "InsightMark",
    "InsightPublisher",
    "PublishError",
    "insight_for",
    "insight_passage",
]
