"""The daily insight: which section a date gets, and the passage that carries its point."""

from bot.insight.pick import Insight, insight_for, insight_passage, rotation

__all__ = ["Insight", "insight_for", "insight_passage", "rotation"]
