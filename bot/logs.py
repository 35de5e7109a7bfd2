"""Logs: readable text on a terminal, JSON lines otherwise; tokens and secrets redacted in both."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]
LOG_FORMATS = ("auto", "text", "json")

REDACTED = "[redacted]"

# Slack tokens (bot, user, app-level, refresh, config) and the Discord bot token shape:
# base64 user id, a dot, a timestamp part, a dot, an HMAC part. Where a pattern has a
# `secret` group, only that part is replaced, so the rest still says what the line was.
TOKEN_PATTERNS = (
    re.compile(r"\bxox[abposer]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"\bxoxe\.xox[bp]-[A-Za-z0-9-]+"),
    re.compile(r"\b[A-Za-z0-9_-]{23,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
    # A Discord interaction's token (it may reply for 15 minutes) in a REST path: the
    # callback (/interactions/<id>/<token>) and the replies (/webhooks/<app>/<token>).
    re.compile(r"/(?:interactions|webhooks)/\d+/(?P<secret>[^/\s?#'\"]+)"),
    # Any "token" field, as JSON or a Python dict prints it (a gateway event's payload).
    re.compile(r"""(?P<q>['"])token(?P=q)\s*:\s*(?P<v>['"])(?P<secret>[^'"]+)(?P=v)"""),
)
# Shorter configured values are not redacted: replacing every "abc" would mangle the logs,
# and a secret that short is no secret anyway.
MIN_SECRET = 8

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


class Redactor:
    """Replaces token-shaped text and the given secret values with a marker."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """`text` with every secret and token-shaped string replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(_redacted, text)
        return text


def _redacted(match: re.Match[str]) -> str:
    """The match with its `secret` group (else all of it) replaced by the marker."""
    if "secret" not in match.re.groupindex:
        return REDACTED
    start, end = match.span("secret")
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + REDACTED + whole[end - offset :]


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


class TextFormatter(logging.Formatter):
    """One readable line per record: local time, level, logger, event, then key=value extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as `HH:MM:SS level logger: event key=value ...` (a traceback below)."""
        when = dt.datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        text = f"{when} {record.levelname.lower():<7} {record.name}: {record.getMessage()}"
        for name, value in record.__dict__.items():
            if name not in _STANDARD:
                shown = str(value)
                if not shown or any(c.isspace() for c in shown):
                    shown = json.dumps(shown, ensure_ascii=False)
                text += f" {name}={shown}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        return text


def log_format(choice: str, stream: TextIO) -> LogFormat:
    """`text` or `json` for --log-format `choice`; `auto` is text on a terminal, else JSON."""
    if choice == "auto":
        return "text" if stream.isatty() else "json"
    if choice not in ("text", "json"):
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {choice!r}")
    return "text" if choice == "text" else "json"


def setup_logging(
    secrets: Iterable[str] = (),
    level: int = logging.INFO,
    stream: TextIO | None = None,
    form: LogFormat = "json",
) -> logging.Handler:
    """Send every log record to `stream` (stderr), redacted, as text or JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(TextFormatter() if form == "text" else JsonFormatter())
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "townhall", False)]:
        root.removeHandler(old)
    handler.townhall = True  # type: ignore[attr-defined]  # marks ours for a second setup
    root.addHandler(handler)
    root.setLevel(level)
    return handler
