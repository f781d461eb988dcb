"""Stream generated tables into PostgreSQL with binary COPY, on one or more connections.

One thread generates and encodes chunks (numpy releases the GIL for most of
it) and hands each to the lane (connection) that loads its table; each lane
runs COPY in its own thread, then its follow-up work (building keys). On two
cores the server is the slower side (medium: ~10 s of COPY against ~6 s of
generation), so a second lane lets a second backend work while the first one
is busy, and the hand-over is bounded by bytes, generously: some plans take
seconds to build in one go (the ledger replays every user's history), and
with only 4 chunks of look-ahead the server idled for 4 s of a medium load.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql

from portal.datagen.encoding import HEADER, TRAILER, encode_rows
from portal.datagen.progress import Progress
from portal.datagen.tables import Table
from portal.datagen.world import World

_QUEUE_BYTES = 256 * 1024 * 1024
_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Lane:
    """A connection, the tables it loads (in generation order) and what it does after."""

    conn: psycopg.Connection[Any]
    tables: Sequence[Table]
    then: Callable[[], None] | None = None


@dataclass(frozen=True)
class _Start:
    table: str
    expected_rows: int


@dataclass(frozen=True)
class _Chunk:
    table: str
    data: npt.NDArray[np.uint8] | None  # None marks the end of the table
    rows: int


_Item = _Start | _Chunk | BaseException


class _Stopped(Exception):
    """Another thread failed; this one leaves quietly."""


class _Handover:
    """A FIFO bounded by the bytes it holds (one item may always enter when empty)."""

    def __init__(self, limit: int, stop: threading.Event) -> None:
        self._items: deque[_Item] = deque()
        self._bytes = 0
        self._limit = limit
        self._stop = stop
        self._changed = threading.Condition()

    def put(self, item: _Item) -> None:
        size = _size(item)
        with self._changed:
            while self._items and self._bytes + size > self._limit and not self._stop.is_set():
                self._changed.wait(_POLL_SECONDS)
            if self._stop.is_set():
                raise _Stopped
            self._items.append(item)
            self._bytes += size
            self._changed.notify_all()

    def get(self) -> _Item:
        with self._changed:
            while not self._items and not self._stop.is_set():
                self._changed.wait(_POLL_SECONDS)
            if self._stop.is_set():
                raise _Stopped
            item = self._items.popleft()
            self._bytes -= _size(item)
            self._changed.notify_all()
            return item


def _size(item: _Item) -> int:
    return item.data.nbytes if isinstance(item, _Chunk) and item.data is not None else 0


def copy_tables(
    world: World,
    lanes: Sequence[Lane],
    *,
    generation_order: Sequence[Table],
    progress: Progress,
    freeze: bool = True,
) -> dict[str, int]:
    """COPY every lane's tables, each lane on its connection; returns rows per table.

    ``generation_order`` is the order plans allow (order lines before orders);
    every lane's tables must follow it. ``freeze`` needs the tables to have
    been created in the lane's current transaction: rows are then written
    frozen and all-visible, so the first queries do not pay for hint bits or
    a VACUUM. The first failure in any thread stops the others and is raised.
    """
    for lane in lanes:
        names = [t.name for t in lane.tables]
        if names != [t.name for t in generation_order if t.name in names]:
            raise ValueError(f"lane tables {names} do not follow the generation order")
    return _CopyRun(world, lanes, generation_order, progress, freeze).execute()


class _CopyRun:
    """One producer thread encodes rows in generation order; one thread per lane COPYs them."""

    def __init__(
        self,
        world: World,
        lanes: Sequence[Lane],
        generation_order: Sequence[Table],
        progress: Progress,
        freeze: bool,
    ) -> None:
        self.world = world
        self.lanes = lanes
        self.generation_order = generation_order
        self.progress = progress
        self.freeze = freeze
        self.lane_of = {table.name: i for i, lane in enumerate(lanes) for table in lane.tables}
        self.stop = threading.Event()
        self.handovers = [_Handover(_QUEUE_BYTES // len(lanes), self.stop) for _ in lanes]
        self.rows: dict[str, int] = {}
        self.errors: list[BaseException] = []

    def execute(self) -> dict[str, int]:
        threads = [threading.Thread(target=self._guarded(self._produce), name="datagen-producer")]
        threads += [
            threading.Thread(
                target=self._guarded(partial(self._consume, lane, handover)),
                name=f"datagen-lane-{i}",
            )
            for i, (lane, handover) in enumerate(zip(self.lanes, self.handovers, strict=True))
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:  # KeyboardInterrupt: stop the threads, then let it through
            self.stop.set()
            for thread in threads:
                thread.join()
            raise
        if self.errors:
            raise self.errors[0]
        return self.rows

    def _guarded(self, work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except _Stopped:
                pass
            except BaseException as exc:  # re-raised in the caller's thread
                self.errors.append(exc)
                self.stop.set()

        return run

    def _produce(self) -> None:
        for table in self.generation_order:
            if table.name not in self.lane_of:
                continue
            handover = self.handovers[self.lane_of[table.name]]
            handover.put(_Start(table.name, table.expected_rows(self.world)))
            for columns in table.chunks(self.world):
                if len(columns[0]):
                    encoded = encode_rows(table.types, columns)
                    handover.put(_Chunk(table.name, encoded, len(columns[0])))
            handover.put(_Chunk(table.name, None, 0))

    def _consume(self, lane: Lane, handover: _Handover) -> None:
        with lane.conn.cursor() as cur:
            for table in lane.tables:
                start = handover.get()
                assert isinstance(start, _Start) and start.table == table.name
                self.progress.start(table.name, start.expected_rows)
                chunks = _chunks(handover)
                self.rows[table.name] = _copy_one(cur, table, chunks, self.progress, self.freeze)
                self.progress.finish(table.name)
        if lane.then is not None:
            lane.then()


def _copy_one(
    cur: psycopg.Cursor[Any],
    table: Table,
    chunks: Iterator[_Chunk],
    progress: Progress,
    freeze: bool,
) -> int:
    options = sql.SQL("FORMAT BINARY, FREEZE") if freeze else sql.SQL("FORMAT BINARY")
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names),
        options,
    )
    total = 0
    with cur.copy(statement) as copy:
        copy.write(HEADER)
        for chunk in chunks:
            assert chunk.data is not None
            copy.write(chunk.data.data)  # a memoryview: no copy
            total += chunk.rows
            progress.advance(table.name, chunk.rows)
        copy.write(TRAILER)
    return total


def _chunks(handover: _Handover) -> Iterator[_Chunk]:
    while True:
        item = handover.get()
        if not isinstance(item, _Chunk):
            raise RuntimeError(f"unexpected {item!r} in the middle of a table")
        if item.data is None:
            return
        yield item
