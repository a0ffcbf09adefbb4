"""Rendered tiles kept by key: in Redis when ``GISAPP_REDIS_URL`` is set (shared by every
worker and app server), else in a byte-bounded LRU inside each process.

Keys carry the tile's data version (see ``query.tile_version``), so a changed tile is never
served from the cache: its key is new. Old keys simply age out (LRU) or expire (Redis TTL).

Usage::

    cache = make_cache(settings)
    cache.set("reports:ab12:14/13395/6728:57", body)
    cache.get("reports:ab12:14/13395/6728:57")      # -> bytes or None
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Protocol

from gisapp.settings import Settings

log = logging.getLogger(__name__)

# A tile stays in Redis for a day after it was last rendered; a newer version has another key.
REDIS_TTL_SECONDS = 24 * 3600
REDIS_PREFIX = "gisapp:tile:"


class TileCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class LruCache:
    """Thread-safe LRU bounded by the bytes it holds (gunicorn threads share one per process)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        cost = len(value) + len(key)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old) + len(key)
            self._items[key] = value
            self.size += cost
            while self.size > self.max_bytes:
                k, v = self._items.popitem(last=False)
                self.size -= len(v) + len(k)

    def __len__(self) -> int:
        return len(self._items)


class RedisCache:
    """Tiles in Redis. A Redis that is down costs a render, never an error."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(REDIS_PREFIX + key)
        except self._errors as exc:
            log.warning("tile cache (Redis) unavailable: %s", exc)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        try:
            self._redis.set(REDIS_PREFIX + key, value, ex=REDIS_TTL_SECONDS)
        except self._errors as exc:
            log.warning("tile cache (Redis) unavailable: %s", exc)


def make_cache(settings: Settings) -> TileCache:
    if settings.redis_url:
        return RedisCache(settings.redis_url)
    return LruCache(settings.tile_cache_mb * 1024 * 1024)
