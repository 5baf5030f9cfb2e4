"""One rank of scripts/bench/colocated.py: latencies to its colocated server, hpcsim's client
and raw redis-py side by side, printed as one JSON line. Not meant to be run by hand."""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import redis

from hpcsim.client import Client
from hpcsim.dataplane import codec

rank = os.environ.get("RANK", "0")
iterations = int(sys.argv[1])
address = os.environ["HPCSIM_DB"]
with open(os.environ["HPCSIM_DB_PASSWORD_FILE"]) as secret:
    password = secret.read().strip()
if address.startswith("unix://"):
    raw = redis.Redis(unix_socket_path=address[len("unix://") :], password=password)
else:
    host, port = address.rsplit(":", 1)
    raw = redis.Redis(host=host, port=int(port), password=password)
client = Client()
result: dict[str, dict[str, list[float]]] = {}
for size in (1024, 1024 * 1024):
    array = np.ones(size // 4, dtype=np.float32)
    value = b"".join(bytes(part) for part in codec.encode_tensor(array))  # the exact bytes hpcsim stores
    key = f"bench_{rank}_{size}"
    samples: dict[str, list[float]] = {"hpcsim_put": [], "hpcsim_get": [], "raw_put": [], "raw_get": []}
    for _ in range(iterations):
        start = time.perf_counter()
        client.put_tensor(key, array)
        samples["hpcsim_put"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.get_tensor(key)
        samples["hpcsim_get"].append(time.perf_counter() - start)
        start = time.perf_counter()
        raw.set(key + "_raw", value)
        samples["raw_put"].append(time.perf_counter() - start)
        start = time.perf_counter()
        raw.get(key + "_raw")
        samples["raw_get"].append(time.perf_counter() - start)
    result[str(size)] = samples
print(json.dumps({"rank": rank, "db": address, "samples": result}), flush=True)
