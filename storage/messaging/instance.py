"""One active instance per database: a PostgreSQL advisory lock, or a file lock beside SQLite.

Two bots on one database would fight over getUpdates (409 Conflict), send every outbox message
twice and fire every reminder twice. The lock is held by a connection (PostgreSQL) or an open
file (SQLite) of the holding process, so it is released when that process dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_engine

# pg_advisory_lock key: "xieshang" in ASCII, so other applications' keys are unlikely to meet it.
ADVISORY_KEY = 0x786965736861_6E67 & 0x7FFFFFFFFFFFFFFF


class InstanceLock:
    """Held while this process is the active instance; `acquire` never waits."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        parsed = make_url(database_url)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        database = parsed.database
        self.path: Path | None = None
        if self._sqlite and database and database != ":memory:":
            self.path = Path(database).with_name(Path(database).name + ".lock")
        self._file: Any = None
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._file is not None or self._connection is not None

    def where(self) -> str:
        """What is locked, for the message a waiting instance prints."""
        if self._sqlite:
            return str(self.path) if self.path else "SQLite (in memory)"
        return make_url(self.database_url).render_as_string(hide_password=True)

    async def acquire(self) -> bool:
        """Takes the lock if nobody holds it; tells whether this process now holds it."""
        if self.held:
            return True
        if self._sqlite:
            return self._acquire_file()
        return await self._acquire_advisory()

    def _acquire_file(self) -> bool:
        if self.path is None:  # an in-memory database is private to this process anyway
            self._file = True
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    async def _acquire_advisory(self) -> bool:
        if self._engine is None:
            self._engine = create_engine(self.database_url, pool_size=1, max_overflow=0)
        connection = await self._engine.connect()
        try:
            got = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
                )
            ).scalar_one()
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        """Checks the lock's connection is alive (PostgreSQL); a lost connection loses the lock."""
        if self._connection is None:
            return self.held
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            await self.release()
            return False
        return True

    async def release(self) -> None:
        if self._file is not None and self._file is not True:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
        self._file = None
        if self._connection is not None:
            try:
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
                await self._connection.commit()
            except Exception:  # the connection is gone, and the lock with it
                pass
            await self._connection.close()
            self._connection = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
