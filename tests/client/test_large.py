"""Big tensors: a >= 1 GiB round trip, and a put that does not copy the array (peak RSS).

Both run in a subprocess so the parent's memory high-water mark stays untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, resource, sys
import numpy as np
from hpcsim.client import Client

n_bytes = int(sys.argv[1])
client = Client()
data = np.arange(n_bytes // 8, dtype=np.float64)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
client.put_tensor("huge", data)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
back = client.get_tensor("huge")
same = back.shape == data.shape and bool(np.array_equal(back, data))
client.delete_tensor("huge")
print(json.dumps({"put_extra_rss": after - before, "round_trip_ok": same}))
"""


def test_one_gib_round_trip_without_copying_on_put(standalone):
    n_bytes = 2**30
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(n_bytes)], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["round_trip_ok"]
    assert result["put_extra_rss"] < n_bytes // 4, result
