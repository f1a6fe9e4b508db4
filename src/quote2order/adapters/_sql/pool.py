"""Connections kept between operations; each operation borrows one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from quote2order.adapters._sql.dialect import Connection, Dialect
from quote2order.errors import StorageError

__all__ = ["Pool"]


class Pool:
    """Idle connections, reused by one operation at a time; ``single`` shares one connection."""

    def __init__(self, dialect: Dialect, *, max_idle: int, single: bool) -> None:
        self._dialect = dialect
        self._max_idle = max_idle
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._single: Connection | None = None
        # A ``:memory:`` database lives in one connection: operations take turns on it.
        self._single_lock: threading.Lock | None = threading.Lock() if single else None

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one operation (a read, a commit, a sequence step)."""
        if self._closed:
            raise StorageError("the store is closed")
        if self._single_lock is not None:
            with self._single_lock:
                if self._single is None:
                    self._single = self._dialect.connect()
                yield self._single
            return
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._dialect.connect()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def _give_back(self, conn: Connection) -> None:
        with self._lock:
            keep = not self._closed and len(self._idle) < self._max_idle
            if keep and self._dialect.usable(conn):
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close every idle connection; connections in use close when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        if self._single_lock is not None:
            with self._single_lock:
                if self._single is not None:
                    self._single.close()
                    self._single = None
