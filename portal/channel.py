"""A background listener on one Redis pub/sub channel that resubscribes when it loses Redis.

Two parts of the portal hear their siblings this way: token revocations
(``portal/auth/revocations.py``) and the run-time cache switch
(``portal/cache/switch.py``). Both need the same loop: subscribe, catch up on
what may have been missed, then handle each message; on any error, log once,
wait, and subscribe again. Each says only what catching up and handling mean.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

RETRY_S = 1.0


class ChannelListener:
    """Runs :meth:`on_message` for every message on ``channel`` until stopped."""

    name = "portal-channel"  # the asyncio task's name
    what = "channel"  # how the log names it

    def __init__(self, redis: Redis, channel: str, log: logging.Logger) -> None:
        self.redis = redis
        self.channel = channel
        self.log = log
        self.listening = asyncio.Event()  # set while subscribed (tests wait for it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def on_subscribed(self, *, after_loss: bool) -> None:
        """Catch up once subscribed: a message sent from now on arrives as one."""

    async def on_message(self, data: bytes) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        lost = False
        while True:
            try:
                await self._listen(after_loss=lost)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not lost:
                    self.log.warning("%s lost, retrying: %s", self.what, error)
                lost = True
                self.listening.clear()
                await asyncio.sleep(RETRY_S)

    async def _listen(self, *, after_loss: bool) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            await self.on_subscribed(after_loss=after_loss)
            self.listening.set()
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                await self.on_message(message["data"])
