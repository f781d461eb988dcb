"""The run-time cache switch: every worker of one served portal turns its cache reads on or off.

A load test alternates "cache on" and "cache off" in short blocks inside one
served portal instead of restarting it per arm (``PORTAL_CACHE_SWITCH=on``).
The state is one attribute per process, ``ResponseCache.live``, which the
middleware reads once per GET in both modes: the switch itself costs neither
arm anything the other does not pay, and no request asks Redis about it.

Only reads are switched. Writes renew their version tokens in both modes, so an
entry stored in an "on" block is stale the moment an "off" block changes its
data, and the next "on" block cannot serve it.

How a switch travels (all keys and the channel under the cache prefix, so two
portals sharing one Redis do not hear each other):

1. ``announce_mode`` runs one script: it increments ``<prefix>:switch:generation``,
   records ``"<generation> <mode>"`` in ``<prefix>:switch:current`` and publishes
   the same text on ``<prefix>:switch``. One script, so concurrent switches
   are ordered the same in the key and on the channel.
2. Each worker's ``CacheSwitchListener`` sets its flag and adds its pid to
   ``<prefix>:switch:confirmed:<generation>``; the announcer waits for as many
   pids as the caller says the portal has workers.
3. A listener that starts (a worker started or restarted by uvicorn after a
   switch) or reconnects reads the current key after subscribing, so it misses
   nothing. It adopts the recorded mode only if a worker that confirmed it is
   still running: a record left by an earlier run of the portal is ignored, and
   a new portal always starts with its cache on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Literal

from redis.asyncio import Redis

from portal.cache.service import ResponseCache
from portal.channel import ChannelListener

log = logging.getLogger("portal.cache")

Mode = Literal["on", "off"]
MODES: tuple[Mode, ...] = ("on", "off")
# Confirmations are kept as long as version tokens: a worker restarted hours into
# a block still finds a live sibling among them.
CONFIRMED_TTL_S = 86_400
_POLL_FIRST_S, _POLL_MAX_S = 0.005, 0.05

_ANNOUNCE = """
local generation = redis.call('INCR', KEYS[1])
local said = generation .. ' ' .. ARGV[1]
redis.call('SET', KEYS[2], said)
redis.call('PUBLISH', ARGV[2], said)
return generation
"""


@dataclass(frozen=True, slots=True)
class SwitchKeys:
    """The Redis names of one portal's switch, under its cache prefix."""

    prefix: str

    @property
    def channel(self) -> str:
        return f"{self.prefix}:switch"

    @property
    def current(self) -> str:
        return f"{self.prefix}:switch:current"

    @property
    def generation(self) -> str:
        return f"{self.prefix}:switch:generation"

    def confirmed(self, generation: int) -> str:
        return f"{self.prefix}:switch:confirmed:{generation}"


@dataclass(frozen=True, slots=True)
class Announced:
    mode: Mode
    generation: int
    confirmed: list[int]  # pids, sorted


def parse_mode(said: bytes | str) -> tuple[int, Mode] | None:
    """``b"7 off"`` → ``(7, "off")``; None for anything else."""
    text = said.decode() if isinstance(said, bytes) else said
    generation, _, mode = text.partition(" ")
    if not generation.isdigit() or mode not in MODES:
        return None
    return int(generation), mode


async def announce_mode(redis: Redis, keys: SwitchKeys, mode: Mode) -> int:
    """Publish ``mode`` under a fresh generation number; the generation."""
    generation = await redis.eval(_ANNOUNCE, 2, keys.generation, keys.current, mode, keys.channel)
    return int(generation)


async def confirmations(
    redis: Redis, keys: SwitchKeys, generation: int, *, workers: int, wait_s: float
) -> list[int]:
    """The pids that confirmed ``generation``, once ``workers`` have or ``wait_s`` has passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    pause = _POLL_FIRST_S
    while True:
        members = await redis.smembers(keys.confirmed(generation))
        pids = sorted(int(pid) for pid in members)
        left = deadline - loop.time()
        if len(pids) >= workers or left <= 0:
            return pids
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 2, _POLL_MAX_S)


class CacheSwitchListener(ChannelListener):
    """This process's end of the switch: sets ``cache.live`` as announced, and confirms."""

    name = "portal-cache-switch"
    what = "cache switch channel"

    def __init__(self, redis: Redis, cache: ResponseCache) -> None:
        self.keys = SwitchKeys(cache.prefix)
        super().__init__(redis, self.keys.channel, log)
        self.cache = cache
        self.generation = 0  # of the mode this process applies; 0 = never switched

    @property
    def mode(self) -> Mode:
        return "on" if self.cache.live else "off"

    async def on_subscribed(self, *, after_loss: bool) -> None:
        del after_loss  # on every subscription, first or not: a switch may have been missed
        await self._adopt_recorded()

    async def on_message(self, data: bytes) -> None:
        said = parse_mode(data)
        if said is None:
            log.warning("ignored a malformed cache switch message: %r", data)
            return
        await self._apply(*said)

    async def _adopt_recorded(self) -> None:
        recorded = await self.redis.get(self.keys.current)
        said = parse_mode(recorded) if recorded is not None else None
        if said is None or said[0] <= self.generation:
            return
        generation, mode = said
        members = await self.redis.smembers(self.keys.confirmed(generation))
        if any(_running(int(pid)) for pid in members):
            await self._apply(generation, mode)
        else:
            # An earlier run's record: this portal starts on, and later messages
            # are still newer than it.
            self.generation = generation

    async def _apply(self, generation: int, mode: Mode) -> None:
        if generation < self.generation:
            return  # an older switch overtaken by a newer one
        self.cache.live = mode == "on"
        self.generation = generation
        confirmed = self.keys.confirmed(generation)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(confirmed, os.getpid())
            pipe.expire(confirmed, CONFIRMED_TTL_S)
            await pipe.execute()
        log.info("cache %s (switch generation %d)", mode, generation)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process other than this one (the workers share a host)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
