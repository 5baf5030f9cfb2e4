"""SmartRedis' exception names, for porting code that catches them.

hpcsim raises its own classes (:mod:`hpcsim.errors`); these aliases map SmartRedis' names onto
them, so ``except RedisKeyError`` keeps working. SmartRedis' ``RedisReplyError`` and
``RedisRuntimeError`` both mean any failed request (:class:`~hpcsim.errors.ClientError`).
"""

from __future__ import annotations

from hpcsim import errors

__all__ = [
    "RedisConnectionError",
    "RedisKeyError",
    "RedisReplyError",
    "RedisRuntimeError",
    "RedisTimeoutError",
]

RedisReplyError = errors.ClientError
RedisRuntimeError = errors.ClientError
RedisKeyError = errors.KeyNotFoundError
RedisConnectionError = errors.ClientConnectionError
RedisTimeoutError = errors.TimeoutError
