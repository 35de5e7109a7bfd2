"""The Web API client: the token passed in, and retries for rate limits and server errors."""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

# Slack answers 5xx for its own trouble; these are worth a second try, other codes are not.
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
# Web API errors that mean the token itself is wrong (docs.slack.dev/reference/methods/
# auth.test), so that an admin has to copy or make it again. Nothing else blames the token.
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)
# Error codes Slack gives for its own trouble or a rate limit, whatever the HTTP status.
SLACK_TROUBLE_ERRORS = frozenset(
    {"fatal_error", "internal_error", "service_unavailable", "ratelimited"}
)
# Calls that post a message: once the request went out, neither a dropped connection nor a
# 5xx (a gateway timing out behind which Slack posted) says whether it was posted, so these
# are retried here only when no connection was made. A public reply's caller looks for it
# (by its metadata) before posting it again; a private one is in no history to look in.
POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral"})
# Of those, the ones a 5xx does not retry here: a public post, which its caller looks for
# first. A private one (an ephemeral, a response_url) is retried after a 5xx: Slack's 503
# usually means nothing was posted, and a reply only the member sees twice beats none.
PUBLIC_POSTING_METHODS = frozenset({"chat.postMessage"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the client waits before trying a Web API call again."""

    # The waits run on this clock, so tests see them instead of sleeping through them.
    clock: Clock = field(compare=False)
    rate_limit_retries: int = 3
    # A Retry-After longer than this is cut short: a member is waiting for the answer.
    max_wait: float = 60.0
    server_error_retries: int = 2
    backoff: float = 0.5
    connection_retries: int = 2
    jitter: float = 0.5


class _PolicyRetry(AsyncRetryHandler):
    """Waits as the policy says (on its clock) and logs each retry."""

    message = "retrying a Slack call"

    def __init__(self, policy: RetryPolicy, retries: int, *, posting: bool = False) -> None:
        super().__init__(max_retry_count=retries)
        self.policy = policy
        # Every call through this handler posts (a response_url), whatever its URL says.
        self.posting = posting

    def _posts(self, request: HttpRequest) -> bool:
        return self.posting or _method(request) in POSTING_METHODS

    def _wait(self, state: RetryState, response: HttpResponse | None) -> float:
        return float(self.policy.backoff * 2**state.current_attempt)

    def _fields(self, response: HttpResponse | None, error: Exception | None) -> dict[str, object]:
        return {}

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = self._wait(state, response) + random.uniform(
            0, self.policy.jitter
        )  # spreads retries
        log.warning(
            self.message,
            extra={
                "api_method": _method(request),
                **self._fields(response, error),
                "retry_in": round(wait, 3),
                "attempt": state.current_attempt + 1,
            },
        )
        state.next_attempt_requested = True
        await self.policy.clock.sleep(wait)
        state.increment_current_attempt()


class RateLimitRetry(_PolicyRetry):
    """Retries a 429 after the `Retry-After` seconds Slack asks for."""

    message = "Slack rate limited a call; retrying"

    def __init__(self, policy: RetryPolicy) -> None:
        # A 429 was refused before anything was done: a post is retried like any call.
        super().__init__(policy, policy.rate_limit_retries)

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def _wait(self, state: RetryState, response: HttpResponse | None) -> float:
        return min(_retry_after(response), self.policy.max_wait)


class ServerErrorRetry(_PolicyRetry):
    """Retries a Slack 5xx a bounded number of times, waiting longer each time.

    A public post is never retried here: Slack may have posted before the 5xx, and its
    caller looks for it before posting again (see PUBLIC_POSTING_METHODS).
    """

    message = "Slack answered with a server error; retrying"

    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(policy, policy.server_error_retries)

    def _posts(self, request: HttpRequest) -> bool:
        return _method(request) in PUBLIC_POSTING_METHODS

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if self._posts(request):
            return False
        return response is not None and response.status_code in RETRYABLE_STATUS

    def _fields(self, response: HttpResponse | None, error: Exception | None) -> dict[str, object]:
        return {"status": response.status_code if response is not None else None}


class ConnectionRetry(_PolicyRetry, AsyncConnectionErrorRetryHandler):
    """Retries a call whose connection dropped or was refused, waiting longer each time.

    A posting call is retried only if it never reached Slack (the connection was refused).
    """

    message = "could not reach Slack; retrying"

    def __init__(self, policy: RetryPolicy, *, posting: bool = False) -> None:
        super().__init__(policy, policy.connection_retries, posting=posting)

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        ):
            return False
        return not self._posts(request) or isinstance(error, ClientConnectorError)

    def _fields(self, response: HttpResponse | None, error: Exception | None) -> dict[str, object]:
        return {"error_type": type(error).__name__}


# The most of an answer's text (an error code, a scope) a message quotes: a server that is
# not Slack may answer megabytes, and the message is one line of output or of the log.
MAX_QUOTED = 100
NOT_WEB_API = "answered something that is not Slack's Web API (HTTP 200)"


class NotWebApiError(Exception):
    """SLACK_API_URL answered HTTP 200 with a body that is not Slack's (no JSON object)."""

    def __init__(self, method: str) -> None:
        super().__init__(f"SLACK_API_URL {NOT_WEB_API} to {method}")
        self.method = method


async def web_api(method: str, call: Awaitable[T]) -> T:
    """Await one Web API call, raising NotWebApiError for an answer that is not Slack's."""
    try:
        return await call
    except (AttributeError, TypeError, KeyError) as exc:
        failed = exc.__context__
        if isinstance(failed, SlackApiError):
            # The Socket Mode client reads e.response["error"] of a refusal, which fails for
            # a body with no error code (a proxy's 502 page): the refusal is the answer.
            raise failed from None
        # slack_sdk reads a 200 answer with data.get("ok"): a JSON list, string or number
        # (or a text/plain page) raised AttributeError inside it, before any code here ran;
        # the Socket Mode client reads response["url"], a KeyError when it is missing.
        raise NotWebApiError(method) from exc


def quoted(text: object) -> str:
    """Text from an answer fit to quote on one line: printable, cut to MAX_QUOTED characters."""
    kept = (c for c in str(text) if c.isprintable())
    printable = "".join(itertools.islice(kept, MAX_QUOTED + 1))
    if len(printable) <= MAX_QUOTED:
        return printable
    return printable[: MAX_QUOTED - 3] + "..."


def error_code(exc: SlackApiError) -> str:
    """Slack's error code for a failed call ("invalid_auth"), else its HTTP status."""
    # A body that is not a JSON object (a proxy's "Internal Server Error" page) has no code;
    # slack_sdk then gives its text, or the raw aiohttp response, as exc.response.
    data = getattr(exc.response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    return (quoted(code) if code else "") or f"HTTP {http_status(exc) or '?'}"


def http_status(exc: SlackApiError) -> int | None:
    """The HTTP status of the answer that failed the call, if there was one."""
    response = exc.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


def slack_trouble(exc: SlackApiError) -> bool:
    """Whether Slack failed the call for its own trouble or a rate limit (5xx, 429): the
    call may work later, and says nothing about the token or the request."""
    status = http_status(exc) or 0
    return status >= 500 or status == 429 or error_code(exc) in SLACK_TROUBLE_ERRORS


def web_client(token: str, api_url: str, policy: RetryPolicy) -> AsyncWebClient:
    """A Web API client for `token` on `api_url`, retrying rate limits and 5xx answers
    (5xx and dropped connections not for posts: see POSTING_METHODS)."""
    return AsyncWebClient(token=token, base_url=api_url, retry_handlers=retry_handlers(policy))


def retry_handlers(policy: RetryPolicy, *, posting: bool = False) -> list[AsyncRetryHandler]:
    """Retries for dropped connections, 429 (after Retry-After) and 5xx, in that order.

    `posting`: every call posts (a response_url, a private reply), so a dropped connection
    is retried as POSTING_METHODS are; a 5xx is retried, as for any private post.
    """
    return [
        ConnectionRetry(policy, posting=posting),
        RateLimitRetry(policy),
        ServerErrorRetry(policy),
    ]


def _retry_after(response: HttpResponse | None) -> float:
    if response is None:
        return 1.0
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


def _method(request: HttpRequest) -> str:
    # The URL is the method endpoint; it never carries the token (that is a header).
    return request.url.rsplit("/", 1)[-1]
