"""``log_metric`` from C, C++ and Fortran (an hpcsim extension), read back with redis-py: each
program logs its points to ``__hpcsim.metrics.<name>`` with the ensemble put prefix on, and the
stream holds exactly those steps and values (bit for bit), under the unprefixed key, as the Python
client's ``Client.log_metric`` writes them; the bad names, steps and values the program tries
leave nothing in the database. Against a standalone server, a Redis Cluster and a Unix socket.

The programs are clients/tests/{c,cpp,fortran}/*metrics*, as ``hpcsim clients build --tests``
installs them (``native_build``).
"""

from __future__ import annotations

import secrets
import struct
from typing import Any

import numpy as np
import pytest
import redis

from hpcsim import Client
from hpcsim.dataplane.protocol import METRICS_PREFIX
from tests.client.conftest import PASSWORD, Database
from tests.native.conftest import NativeBuild, db_env, run_native

#: the points every program logs, in order (STEPS and value_of in data_metrics.c)
POINTS: list[tuple[int, float]] = [(0, 0.1), (1, 1.0 / 3.0), (2, -2.5e-300), (3, 5e-324), (2**62, 1e300)]
#: what fortran_metrics.F90 adds through the c_float specifics of its generic
FORTRAN_POINTS = [*POINTS, (10, float(np.float32(0.1))), (2**40, float(np.float32(1.0) / np.float32(3.0)))]
#: language -> (test program, the points it logs)
PROGRAMS = {
    "c": ("data_metrics", POINTS),
    "cpp": ("cpp_metrics", POINTS),
    "fortran": ("fortran_metrics", FORTRAN_POINTS),
}


def raw(database: Database) -> Any:
    """redis-py on the database itself (every shard of a cluster)."""
    if database.kind == "cluster":
        return redis.RedisCluster(host="127.0.0.1", port=database.servers[0].port, password=PASSWORD, protocol=2)
    return database.servers[0].redis()


def stream(server: Any, name: str) -> list[tuple[int, float]]:
    """The points of metric ``name``, as ``XRANGE __hpcsim.metrics.<name> - +`` reads them."""
    points = []
    for _, fields in server.xrange(METRICS_PREFIX + name, "-", "+"):
        assert set(fields) == {b"step", b"value"}, fields
        points.append((int(fields[b"step"]), float(fields[b"value"])))
    return points


def bits(points: list[tuple[int, float]]) -> list[tuple[int, bytes]]:
    """The points with each value as its 8 bytes, so that equality is bit for bit."""
    return [(step, struct.pack("<d", value)) for step, value in points]


@pytest.mark.parametrize("lang", PROGRAMS)
def test_native_points_read_back_exactly_and_bad_ones_write_nothing(
    native_build: NativeBuild, db: Database, lang: str
) -> None:
    if lang == "fortran" and not native_build.fortran:
        pytest.skip("the clients were built without Fortran (no Fortran compiler)")
    program, points = PROGRAMS[lang]
    name = f"{lang}_loss_{secrets.token_hex(4)}"
    done = run_native(native_build.test_program(lang, program), db_env(db, extra={"SSKEYOUT": "member_0"}), name)
    assert done.returncode == 0, f"{program} {name}: exit {done.returncode}\n{done.stdout}{done.stderr}"

    server = raw(db)
    assert bits(stream(server, name)) == bits(points)
    # nothing else: not under the prefix, and none of the refused names, steps or values
    assert sorted(server.scan_iter(match=f"*{name}*")) == [(METRICS_PREFIX + name).encode()]
    assert not server.exists(METRICS_PREFIX)

    # the Python client writes the same stream for the same points
    client = Client(cluster=db.kind == "cluster")
    for step, value in points:
        client.log_metric(f"{name}_py", step, value)
    assert bits(stream(server, f"{name}_py")) == bits(points)
