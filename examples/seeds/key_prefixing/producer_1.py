from hpcsim.client import Client
from hpcsim.client import *
import numpy as np

# Initialize a Client
client = Client(cluster=False)

# Create NumPy array
array = np.array([5, 6, 7, 8])
# Use SmartRedis client to place tensor in single sharded db
client.put_tensor("tensor", array)
