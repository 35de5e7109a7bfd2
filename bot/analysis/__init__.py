"""Text analysis: language detection and the analyzers that turn text into index terms."""

from bot.analysis.base import Analyzer
from bot.analysis.english import EnglishAnalyzer
from bot.analysis.korean import KiwiKoreanAnalyzer, MecabKoreanAnalyzer
from bot.analysis.language import detect_language

__all__ = [
    "Analyzer",
    "EnglishAnalyzer",
    "KiwiKoreanAnalyzer",
    "MecabKoreanAnalyzer",
    "detect_language",
]
