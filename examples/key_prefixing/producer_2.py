"""Producer 2 (seed model.rst): puts ``tensor``; with key prefixing it lands at ``producer_2.tensor``."""

import numpy as np

from hpcsim.client import Client

client = Client(cluster=False)
client.put_tensor("tensor", np.array([1, 2, 3, 4]))
