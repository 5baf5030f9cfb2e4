"""One rank of the sbatch example: put a tensor into the database the batch script started,
read it back, and say where it ran and which server it used.

``hpcsim.Client()`` needs no arguments: ``eval "$(hpcsim db start)"`` in the batch script
exported HPCSIM_DB (the address), HPCSIM_DB_TYPE and HPCSIM_DB_PASSWORD_FILE, and ``srun``
passes them on to every rank.
"""

import os
import socket

import numpy as np

from hpcsim import Client

rank = int(os.environ.get("SLURM_PROCID", "0"))
client = Client()
sent = np.arange(16, dtype=np.float32).reshape(4, 4) * (rank + 1)
client.put_tensor(f"sample_{rank}", sent)
received = client.get_tensor(f"sample_{rank}")
verdict = "ok" if np.array_equal(received, sent) else "MISMATCH"
print(f"rank {rank} on {socket.gethostname()}: sample_{rank} via {os.environ['HPCSIM_DB']}: {verdict}", flush=True)
