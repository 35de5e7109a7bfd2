"""Structured logs: one JSON object per line, with tokens and configured secrets redacted."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[redacted]"

# Slack tokens (bot, user, app-level, refresh, config) and the Discord bot token shape:
# base64 user id, a dot, a timestamp part, a dot, an HMAC part.
TOKEN_PATTERNS = (
    re.compile(r"\bxox[abposer]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"\bxoxe\.xox[bp]-[A-Za-z0-9-]+"),
    re.compile(r"\b[A-Za-z0-9_-]{23,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
)
# Shorter configured values are not redacted: replacing every "abc" would mangle the logs,
# and a secret that short is no secret anyway.
_MIN_SECRET = 8

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


class Redactor:
    """Replaces token-shaped text and the given secret values with a marker."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """`text` with every secret and token-shaped string replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, extra fields and traceback with a Redactor.

    Attach it to a handler (not a logger) so it sees the records of every library too.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not break the caller
            message = f"{record.msg} {record.args}"
        record.msg = self.redactor(message)
        record.args = None
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD:
                record.__dict__[name] = self._clean(value)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True

    def _clean(self, value: object) -> object:
        if isinstance(value, str):
            return self.redactor(value)
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.redactor(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, event, then the `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        line: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and name not in line:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(
    secrets: Iterable[str] = (), level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to `stream` (stderr) as redacted JSON lines; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "townhall", False)]:
        root.removeHandler(old)
    handler.townhall = True  # type: ignore[attr-defined]  # marks ours for a second setup
    root.addHandler(handler)
    root.setLevel(level)
    return handler
