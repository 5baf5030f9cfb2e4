"""TensorFlow helpers: frozen graphs for hpcsim's TF backend, and the Keras training-data
generators of :mod:`hpcsim.ml.keras` under the name SmartSim used (``smartsim.ml.tf``)."""

from typing import Any

from hpcsim.ml.tf.serialize import freeze_model, serialize_model

__all__ = ["DynamicDataGenerator", "StaticDataGenerator", "freeze_model", "serialize_model"]


def __getattr__(name: str) -> Any:
    """The generators import Keras, so only a caller who asks for them pays for it."""
    if name in ("DynamicDataGenerator", "StaticDataGenerator"):
        from hpcsim.ml import keras

        return getattr(keras, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
