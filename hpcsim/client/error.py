"""SmartRedis' exception names, for porting code that catches them.

hpcsim raises its own classes (:mod:`hpcsim.errors`); these aliases map SmartRedis' names onto
them, so ``except RedisKeyError`` keeps working. SmartRedis' ``RedisReplyError`` and
``RedisRuntimeError`` both mean any failed request (:class:`~hpcsim.errors.ClientError`).

The three rarer names catch what hpcsim raises for the failure SmartRedis raised them for:

* ``RedisDatabaseError`` (SmartRedis: the connection failed or closed during a command, after its
  retries) is :class:`~hpcsim.errors.ClientError`: hpcsim raises
  :class:`~hpcsim.errors.TimeoutError` when a request's retries are spent, and ``ClientError``
  for a failure it does not retry.
* ``RedisInternalError`` (SmartRedis: the database returned data the client cannot read, such
  as a tensor of an unknown type) is :class:`~hpcsim.errors.ClientError`, which hpcsim raises
  for a key that does not hold a readable tensor, dataset or list entry.
* ``RedisBadAllocError`` (SmartRedis: memory for a tensor or command could not be allocated) is
  Python's ``MemoryError``, which is what hpcsim (numpy) raises then. Unlike SmartRedis' class it
  is not a ``RuntimeError``, so ``except RedisReplyError`` does not catch it.
"""

from __future__ import annotations

from hpcsim import errors

__all__ = [
    "RedisBadAllocError",
    "RedisConnectionError",
    "RedisDatabaseError",
    "RedisInternalError",
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
RedisDatabaseError = errors.ClientError
RedisInternalError = errors.ClientError
RedisBadAllocError = MemoryError
