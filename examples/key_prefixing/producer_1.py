"""Producer 1 (seed model.rst): puts ``tensor``; with key prefixing it lands at ``producer_1.tensor``."""

import numpy as np

from hpcsim.client import Client

client = Client(cluster=False)
client.put_tensor("tensor", np.array([5, 6, 7, 8]))
