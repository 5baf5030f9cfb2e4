"""The applications' Redis identity: an ACL user that may run every data command but none that
administers the server (least privilege; see docs/security.md).

hpcsim itself (bring-up, forming a cluster, shutdown, the inference worker, replication) is
Redis's ``default`` user, whose password is ``requirepass``. Applications authenticate as
:data:`APP_USER`, whose rules are ``+@all`` minus :data:`DENIED`, with the read-only
subcommands of the denied commands that clients need added back (:data:`ALLOWED`). The same
rules load on Redis 6.2 and 7: every name in them exists in both.
"""

from __future__ import annotations

import hashlib

__all__ = ["ALLOWED", "APP_USER", "DENIED", "app_user_rules"]

#: the ACL user applications authenticate as
APP_USER = "hpcsim-app"

#: commands the application identity may not run
DENIED = (
    # the server's configuration, code and life
    "config",
    "module",
    "debug",
    "shutdown",
    # identities
    "acl",
    # persistence
    "save",
    "bgsave",
    "bgrewriteaof",
    # replication
    "replicaof",
    "slaveof",
    "failover",
    "sync",
    "psync",
    "replconf",
    # other clients' connections and traffic
    "monitor",
    "client",
    # cluster administration
    "cluster",
)

#: subcommands of denied commands that clients use, allowed again
ALLOWED = (
    "client|id",
    "client|info",
    "client|setname",
    "client|getname",
    "cluster|info",
    "cluster|keyslot",
    "cluster|myid",
    "cluster|nodes",
    "cluster|shards",
    "cluster|slots",
)


def app_user_rules(password: str) -> list[str]:
    """The arguments of the ``user`` directive that defines :data:`APP_USER` with ``password``
    (stored as its SHA-256, so neither redis.conf nor ``ACL LIST`` shows it): every key and
    channel, every command but :data:`DENIED`, plus :data:`ALLOWED`."""
    digest = hashlib.sha256(password.encode()).hexdigest()
    rules = [APP_USER, "on", f"#{digest}", "~*", "&*", "+@all"]
    return rules + [f"-{name}" for name in DENIED] + [f"+{name}" for name in ALLOWED]
