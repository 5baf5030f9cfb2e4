"""The server side of the data plane: finding redis-server, starting shards, forming clusters.

Modules here import only the standard library (and redis-py where they talk to a server), so
``python -m hpcsim.db.shard`` starts quickly on a compute node.
"""
