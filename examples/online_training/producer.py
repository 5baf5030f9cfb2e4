"""The producer of the online-training seed: a mock simulation that uploads a batch of samples
(``points``) and their targets (``value``) every iteration, under the keys the training
service's DynamicDataGenerator looks for: ``points_<iteration>``/``value_<iteration>``, or
``points_<rank>_<iteration>`` when it runs as several MPI ranks (mpi4py).

The "simulation" samples a smooth field f(x, y) = sin(2x) + y**2 at random points. Run by
driver.py; ``python producer.py --iterations N --interval S --samples M``.
"""

import argparse
import socket
import time

import numpy as np

from hpcsim.client import Client

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--iterations", type=int, default=16)
parser.add_argument("--interval", type=float, default=0.5, help="seconds of 'simulation' per iteration")
parser.add_argument("--samples", type=int, default=64, help="samples per iteration and rank")
args = parser.parse_args()

try:
    from mpi4py import MPI

    rank, ranks = MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
except ImportError:  # a single process without mpi4py
    rank, ranks = 0, 1

rng = np.random.default_rng(rank)
client = Client(cluster=False, address=None)  # the database from HPCSIM_DB, as in the seed

for iteration in range(args.iterations):
    time.sleep(args.interval)  # the simulation advances
    data_points = rng.uniform(-1.0, 1.0, size=(args.samples, 2)).astype(np.float32)
    data_values = (np.sin(2 * data_points[:, 0]) + data_points[:, 1] ** 2).astype(np.float32)[:, None]
    suffix = f"{rank}_{iteration}" if ranks > 1 else f"{iteration}"
    # The seed writes "values_" here but reads target_prefix="value": one of the two must change.
    client.put_tensor(f"points_{suffix}", data_points)
    client.put_tensor(f"value_{suffix}", data_values)
    print(f"rank {rank} on {socket.gethostname()}: uploaded iteration {iteration}", flush=True)
