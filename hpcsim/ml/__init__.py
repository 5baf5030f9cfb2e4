"""Machine learning beside the database: the inference worker that serves stored models and
scripts next to every shard, its framework backends, and helpers that turn models into blobs."""

__all__: list[str] = []
