"""TensorFlow helpers for models that hpcsim's TF backend runs beside the database."""

from hpcsim.ml.tf.serialize import freeze_model, serialize_model

__all__ = ["freeze_model", "serialize_model"]
