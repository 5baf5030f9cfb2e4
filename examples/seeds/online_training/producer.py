import time

import numpy as np

from hpcsim import Client

# simulation initialization code
num_iterations = 16
rng = np.random.default_rng(0)
client = Client(cluster=False, address=None)

for iteration in range(num_iterations):
    # simulation code producing two tensors, data_points
    # and data_values
    time.sleep(0.5)
    data_points = rng.uniform(-1.0, 1.0, size=(64, 2)).astype(np.float32)
    data_values = (np.sin(2 * data_points[:, 0]) + data_points[:, 1] ** 2).astype(np.float32)[:, None]
    client.put_tensor(f"points_{iteration}", data_points)
    client.put_tensor(f"value_{iteration}", data_values)
