from hpcsim.client import Client
from hpcsim.client import *
import numpy as np

# Initialize a Client
client = Client(cluster=False)

client.set_data_source("producer_1")
# Searching for key name: producer_1.tensor
client.poll_tensor("tensor", 100, 100)
val1 = client.get_tensor("tensor")
client.set_data_source("producer_2")
# Searching for key name: producer_2.tensor
client.poll_tensor("tensor", 100, 100)
val2 = client.get_tensor("tensor")

client.log_data(LLInfo, f"1: {val1}")
client.log_data(LLInfo, f"2: {val2}")
