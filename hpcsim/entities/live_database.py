"""Where a started database listens, how to authenticate to it, and whether it serves."""

from __future__ import annotations

from dataclasses import dataclass

from hpcsim.db import admin
from hpcsim.db.secret import Credential, app_secret_path, read_credential, read_secret

__all__ = ["LiveDatabase"]


@dataclass(frozen=True)
class LiveDatabase:
    """Where a started database listens, and how to authenticate: ``password_file`` is the
    admin's; the applications' credential file lies beside it."""

    addresses: tuple[str, ...]
    cluster: bool
    password_file: str | None

    def password(self) -> str | None:
        """The admin password (Redis's default user)."""
        return read_secret(self.password_file) if self.password_file else None

    def app_credential(self) -> Credential | None:
        """The applications' least-privilege identity (docs/security.md)."""
        return read_credential(app_secret_path(self.password_file)) if self.password_file else None

    def is_active(self, workers: bool = True) -> bool:
        """Whether every shard answers PING and (with ``workers``) has its inference worker
        running beside it, which ``run_model`` and ``run_script`` need."""
        password = self.password()
        if not all(admin.ping(address, password) for address in self.primaries(password)):
            return False
        return not workers or not self.workers_down()

    def primaries(self, password: str | None = None) -> list[str]:
        """The addresses that serve the data: every address of a standalone database; of a
        cluster, those its layout (CLUSTER NODES, from the first shard that answers) names as
        primaries holding slots, so a replica, or a failed primary whose replica took over,
        does not count. A cluster that no shard describes: every address."""
        import redis  # on first use, as in hpcsim.db.admin

        if not self.cluster:
            return list(self.addresses)
        password = password if password is not None else self.password()
        for address in self.addresses:
            try:
                with admin.connect(address, password, 2.0) as conn:
                    nodes = conn.execute_command("CLUSTER NODES")
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
                continue
            masters = {name for name, node in nodes.items() if "master" in node["flags"] and node["slots"]}
            found = [a for a in self.addresses if a in masters]
            return found or list(self.addresses)
        return list(self.addresses)

    def workers_down(self) -> list[str]:
        """Addresses of the primaries whose inference worker is not running: its heartbeat key
        (refreshed every second, gone 3 s after the worker) is missing. (A replica's worker
        waits until its replica is promoted, then serves its slots.)"""
        password = self.password()
        return [a for a in self.primaries(password) if not _worker_alive(a, password, self.cluster)]


def _worker_alive(address: str, password: str | None, cluster: bool) -> bool:
    """Whether the heartbeat of the worker beside the shard at ``address`` exists (in a
    cluster, under the hash tag of the shard's own slots, as the worker computes it)."""
    import redis  # on first use, as in hpcsim.db.admin

    from hpcsim.dataplane import protocol  # the request protocol's key names (it imports only redis)

    try:
        with admin.connect(address, password, 2.0) as conn:
            tag = ""
            if cluster:
                nodes = conn.execute_command("CLUSTER NODES")
                spans = [
                    (int(span[0]), int(span[-1]))
                    for node in nodes.values()
                    if "myself" in node["flags"]
                    for span in node["slots"]
                ]
                if not spans:
                    return False
                tag = protocol.cluster_tag(lambda slot: any(first <= slot <= last for first, last in spans))
            return bool(conn.exists(protocol.heartbeat_key(tag)))
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
        return False
