"""Notifications (SPEC §11): one digest per invocation when something needs a person.

Building a message is pure (`backfill.cli.digests`: results in, `Digest` out); `deliver` sends it through Apprise
to every `--notify` URL within a bounded retry budget. Delivery never raises and never changes
the run's data or exit code. The URLs are secrets: they are never logged, printed or stored —
a target is named by its position and service ("#1 JSON").
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warehouse.errors import BadInput, InvalidSetting
from warehouse.logger import get_logger

if TYPE_CHECKING:
    from backfill.cli.digests import Digest

log = get_logger(__name__)

NOTIFY_ON = ("attention", "always")  # attention: only when a person is needed (or a date recovered)
RETRY_BUDGET_SECONDS = 10.0  # total time a run may spend delivering, every target and attempt included
BUDGET_VARIABLE = "PCF_NOTIFY_BUDGET_SECONDS"  # … unless a deployment (or a test) sets another
BUDGET_LIMITS = (1.0, 300.0)
MAX_ATTEMPTS = 3
ATTEMPT_TIMEOUT_SECONDS = 4.0
BACKOFF_SECONDS = (0.5, 1.0)


def scheme_of(url: str) -> str:
    """What may be said about a URL in an error: its scheme, never the rest."""
    return url.split("://", 1)[0] + "://…" if "://" in url else "(no scheme)"


SECRET_OPTIONS = ("--notify",)
HIDDEN = "<secret>"
# Apprise schemes whose host is a host name; elsewhere (slack://TOKEN_A/…) even the host part is a token
WEB_SCHEMES = ("http", "https", "json", "jsons", "xml", "xmls", "form", "forms")


def masked_url(url: str) -> str:
    """A URL as it may be shown: the scheme, and the host of a plain web hook; never userinfo, path or query."""
    scheme, found, rest = url.partition("://")
    if not found:
        return HIDDEN
    host = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    shown = host if scheme.lower() in WEB_SCHEMES and host else ""
    return f"{scheme}://{shown}/{HIDDEN}" if shown else f"{scheme}://{HIDDEN}"


def redacted(argv: Sequence[str]) -> list[str]:
    """A command line safe to show, log or store: every `--notify` value is replaced (`--notify URL`,
    `--notify=URL`). Use it wherever a command line leaves the process (lock files, messages, tables)."""
    words: list[str] = []
    for word in argv:
        name, equals, _ = word.partition("=")
        if words and words[-1] in SECRET_OPTIONS:
            words.append(HIDDEN)
        else:
            words.append(f"{name}={HIDDEN}" if equals and name in SECRET_OPTIONS else word)
    return words


def delivery_budget(environ: Mapping[str, str]) -> float:
    """Seconds a run may spend delivering its digest: PCF_NOTIFY_BUDGET_SECONDS, else RETRY_BUDGET_SECONDS."""
    text = (environ.get(BUDGET_VARIABLE) or "").strip()
    if not text:
        return RETRY_BUDGET_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not BUDGET_LIMITS[0] <= seconds <= BUDGET_LIMITS[1]:
        raise InvalidSetting(
            BUDGET_VARIABLE,
            "{field}: {value!r}; expected seconds from {low:g} to {high:g}",
            value=text,
            low=BUDGET_LIMITS[0],
            high=BUDGET_LIMITS[1],
        )
    return seconds


@dataclass(frozen=True)
class NotifySettings:
    urls: tuple[str, ...] = ()
    on: str = "attention"
    budget_seconds: float = field(default_factory=lambda: delivery_budget(os.environ))

    def __post_init__(self) -> None:
        if self.on not in NOTIFY_ON:
            raise BadInput(f"--notify-on: {self.on!r}; expected one of {', '.join(NOTIFY_ON)}")
        for position, url in enumerate(self.urls, 1):
            if service_for(url) is None:
                raise BadInput(
                    f"--notify: URL #{position} ({scheme_of(url)}) is not one Apprise can send to; "
                    "expected e.g. slack://TOKEN_A/TOKEN_B/TOKEN_C or jsons://host/path"
                )

    def __repr__(self) -> str:  # the URLs are secrets, even in a traceback or a debugger
        return f"NotifySettings(urls=<{len(self.urls)} hidden>, on={self.on!r})"


# --- sending ---------------------------------------------------------------------------------
def service_for(url: str) -> Any:
    """The Apprise plugin for a URL, or None when Apprise does not understand it."""
    import apprise  # imported on use: most commands never notify

    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def deliver(
    digest: Digest,
    settings: NotifySettings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[bool]:
    """Send the digest to every URL, retrying briefly; returns which targets got it. Never raises."""
    deadline = clock() + settings.budget_seconds
    return [
        send_one(digest, url, f"#{position}", deadline, clock, sleep) for position, url in enumerate(settings.urls, 1)
    ]


def send_one(
    digest: Digest, url: str, target: str, deadline: float, clock: Callable[[], float], sleep: Callable[[float], None]
) -> bool:
    service = service_for(url)
    target = f"{target} {service.service_name}"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        remaining = deadline - clock()
        if remaining <= 0.2:
            break
        service.socket_connect_timeout = service.socket_read_timeout = min(ATTEMPT_TIMEOUT_SECONDS, remaining)
        try:
            sent = bool(service.notify(body=digest.body, title=digest.title, notify_type=digest.level))
        except Exception as error:  # a plugin bug must not fail the run; the error's text may hold the URL
            sent = False
            log.warning("notify_error", target=target, attempt=attempt, error=type(error).__name__)
        if sent:
            log.info("notified", target=target, attempt=attempt, title=digest.title)
            return True
        pause = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
        if attempt < MAX_ATTEMPTS and deadline - clock() > pause + 0.2:
            sleep(pause)
    log.error(
        "notify_gave_up",
        target=target,
        title=digest.title,
        hint="the run's data and exit code are unaffected; check the URL and the service",
    )
    return False


def notify(digest: Digest, settings: NotifySettings) -> list[bool]:
    """Send when the digest is worth it under `--notify-on`; nothing at all without URLs."""
    if not settings.urls or not digest.worth_sending(settings.on):
        return []
    return deliver(digest, settings)
