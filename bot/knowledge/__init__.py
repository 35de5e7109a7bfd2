"""Town Hall knowledge: markdown documents parsed into sections and passages."""

from bot.knowledge.loader import KnowledgeError, load_document, load_knowledge
from bot.knowledge.model import Document, Knowledge, Passage, Section

__all__ = [
    "Document",
    "Knowledge",
    "KnowledgeError",
    "Passage",
    "Section",
    "load_document",
    "load_knowledge",
]
