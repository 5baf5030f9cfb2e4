"""Consumer (seed model.rst): reads both producers' ``tensor`` by switching the data source."""

from hpcsim.client import Client, LLInfo

client = Client(cluster=False)
client.set_data_source("producer_1")
val1 = client.get_tensor("tensor")  # key producer_1.tensor
client.set_data_source("producer_2")
val2 = client.get_tensor("tensor")  # key producer_2.tensor
client.log_data(LLInfo, f"1: {val1}")
client.log_data(LLInfo, f"2: {val2}")
