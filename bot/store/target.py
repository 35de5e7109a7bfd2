"""What TOWNHALL_DB names: a server by URL (postgresql://...) or a SQLite file path."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

# A scheme: what tells a URL from a file path (sqlite3 itself takes any path).
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# The driver is always psycopg 3, so a URL naming it (postgresql+psycopg://) is taken too.
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "postgresql+psycopg"})
POSTGRES_EXAMPLE = "postgresql://user:password@host:5432/database"


def is_url(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a URL (a database server) rather than a SQLite file path."""
    return URL_SCHEME.match(os.fspath(target)) is not None


def not_created(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a SQLite file that does not exist yet (`serve` creates it)."""
    return not is_url(target) and not Path(target).exists()


def target_problem(target: str | os.PathLike[str]) -> str | None:
    """Why TOWNHALL_DB cannot be opened as it is written, never quoting it; None if it can."""
    text = os.fspath(target)
    if _CONTROL.search(text):
        return "holds a control character (a NUL or a line break?): write it on one line"
    if text != text.strip():
        return "starts or ends with a space: remove it (quotes in a settings file keep it)"
    scheme = URL_SCHEME.match(text)
    if scheme is None:
        # Taken as a file name it would be created, and printed with its password.
        if _LIBPQ_KEYWORDS.search(text):
            return (
                "a libpq key=value connection string is not read here: give a SQLite file "
                f"path or a PostgreSQL URL ({POSTGRES_EXAMPLE})"
            )
        if _URL_LIKE.search(text):
            return (
                "looks like a URL without its '//' (or a JDBC URL): give a SQLite file path "
                f"or a PostgreSQL URL ({POSTGRES_EXAMPLE})"
            )
        return None
    name = scheme.group(1).lower()
    if name.partition("+")[0] == "sqlite":
        return (
            "a SQLite database is given by its file path (such as "
            "/var/lib/townhall/townhall.db), not a sqlite:// URL"
        )
    if name not in POSTGRES_SCHEMES:
        return (
            f"unsupported scheme {scheme.group(1)!r}; give a SQLite file path or a "
            f"PostgreSQL URL ({POSTGRES_EXAMPLE})"
        )
    if _unclear_query_keys(text[scheme.end() :]):
        return (
            "an unencoded '&' or '=' in a password given in the query leaves unclear where it "
            "ends: percent-encode it (& as %26, = as %3D)"
        )
    if _unclear_password(text[scheme.end() :]):
        return (
            "an unencoded '@' in the password or after it leaves unclear where the "
            "password ends: percent-encode each such '@' as %40, "
            "e.g. postgresql://user:p%40ss@host:5432/database"
        )
    return None


def shown_target(target: str | os.PathLike[str]) -> str:
    """TOWNHALL_DB as it may be printed: each password (URL user part, query, password=) ***."""
    text = os.fspath(target)
    scheme = URL_SCHEME.match(text)
    if scheme is None:
        # Refused by target_problem; masked anyway, should one be printed before that.
        text = _PATH_PASSWORD.sub(r"\g<user>:***@", text, count=1)
        return _KEYWORD_PASSWORD.sub(r"\g<key>***", text)
    if _unclear_query(text[scheme.end() :]):
        # The query's password may run past an "@": no part of the URL can be trusted.
        return f"{scheme.group(1)}://..."
    # Up to the last "@": SQLAlchemy ends the password at the first, so one holding an
    # "@" (refused by target_problem) would otherwise show its tail.
    text = _USER_PASSWORD.sub(r"\g<user>:***@", text, count=1)
    # The query runs to the end, as SQLAlchemy reads it ("#" is not special there).
    head, _, query = text.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(_secret_key(key) for key, _ in pairs):
        return text
    masked = [(key, "***" if _secret_key(key) else value) for key, value in pairs]
    return f"{head}?{urlencode(masked, safe='*')}"


def target_passwords(target: str | os.PathLike[str]) -> list[str]:
    """The passwords in TOWNHALL_DB as its connection reads them, so logs can redact them."""
    text = os.fspath(target)
    if URL_SCHEME.match(text) is None:
        values = (m.group("value").strip("'") for m in _KEYWORD_PASSWORD.finditer(text))
        return [value for value in values if value]
    from sqlalchemy.engine import make_url  # noqa: PLC0415 - only for a URL
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415

    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        return []
    found = [url.password] if url.password else []
    for key, value in url.query.items():
        if _secret_key(key):
            found += [value] if isinstance(value, str) else list(value)
    return [str(p) for p in found if p]


def _unclear_password(rest: str) -> bool:
    """Whether an "@" in a PostgreSQL URL (`rest`: after its scheme) hides where a password ends."""
    # As SQLAlchemy reads the user part: the user name runs to ":" or "/" ("user@server"
    # on Azure holds an "@"), the password from there to the next "@". A second "@" after
    # that ":" may be the password's own (its tail read as the host) or the host's, the
    # database's, the query's: no reading of the URL can tell.
    password_on = _PASSWORD_ON.match(rest)
    if password_on is not None and password_on.group(1).count("@") > 1:
        return True
    return _unclear_query(rest)


def _unclear_query(rest: str) -> bool:
    """Whether a URL's query (`rest`: after its scheme) gives a password that may hold an "@"."""
    # SQLAlchemy would take that "@" to end a user part, and the password's tail for the host.
    _, _, after = rest.partition("?")
    return "@" in after and "password=" in unquote(after).lower()


def _unclear_query_keys(rest: str) -> bool:
    """Whether a query that gives a password also has a key libpq does not know (or none):
    the tail of a password holding an unencoded '&', read as a key of its own."""
    _, _, query = rest.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(_secret_key(key) for key, _ in pairs):
        return False
    return any(key.lower() not in _LIBPQ_PARAMETERS for key, _ in pairs)


def _secret_key(key: str) -> bool:
    """Whether a query key gives a secret: a password (sslpassword: the client key's), an
    OAuth client secret, or a SCRAM key (libpq 18)."""
    name = key.lower()
    return "password" in name or "secret" in name or name in _SCRAM_KEYS


# The user name, then the text from the password on.
_PASSWORD_ON = re.compile(r"[^:/]*:(.*)", re.DOTALL)
_PATH_PASSWORD = re.compile(r"^(?P<user>(?:[^/:]*/+)?[^/:]*):[^/]*@", re.DOTALL)
_SCRAM_KEYS = frozenset({"scram_client_key", "scram_server_key"})
_USER_PASSWORD = re.compile(r"^(?P<user>[A-Za-z][A-Za-z0-9+.-]*://[^:/]*):.*@", re.DOTALL)
# Control characters, NUL included: no path or URL holds one, and NUL cuts a C string.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A PostgreSQL scheme without "://" ("postgresql:/u:p@h/db", "postgresql//...", a JDBC
# URL) or a "user:password@" before any "/": a URL mistyped, never a file name. A path
# may hold ":" and "@" further on ("/backups/2026-01-28T10:00@nightly.db").
_URL_LIKE = re.compile(
    r"^(?:jdbc:)?postgres(?:ql)?(?:\+\w+)?:|^postgres(?:ql)?/|^[^/:]*:[^/]*@", re.IGNORECASE
)
# The parameters libpq reads from a URL's query (PostgreSQL 15-18, "Parameter Key Words").
_LIBPQ_PARAMETERS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "require_auth",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
        # PostgreSQL 17 and 18's libpq (the wheel bundles 18), and psycopg's own argument.
        "sslnegotiation",
        "min_protocol_version",
        "max_protocol_version",
        "servicefile",
        "sslkeylogfile",
        "oauth_issuer",
        "oauth_client_id",
        "oauth_client_secret",
        "oauth_scope",
        "scram_client_key",
        "scram_server_key",
        "prepare_threshold",
    }
)
# libpq's key=value connection string ("host=db dbname=townhall password=..."): a keyword
# it knows at the start or after a space, or a password anywhere.
_LIBPQ_KEYWORDS = re.compile(
    r"(?:^|\s)(?:host|hostaddr|port|dbname|user|passfile|service|sslmode|connect_timeout"
    r"|options|application_name|target_session_attrs)\s*="
    r"|password\s*=",
    re.IGNORECASE,
)
_KEYWORD_PASSWORD = re.compile(
    r"(?P<key>password\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'?|\S*)", re.IGNORECASE | re.DOTALL
)
