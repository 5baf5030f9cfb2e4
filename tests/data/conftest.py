"""The client tests' real Redis servers (standalone, 3-shard cluster), emptied before each test."""

from tests.client.conftest import clean_env, cluster_db, db, farm, standalone

__all__ = ["clean_env", "cluster_db", "db", "farm", "standalone"]
