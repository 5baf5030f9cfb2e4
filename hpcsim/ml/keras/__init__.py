"""Keras 3 training-data generators (``PyDataset``s) that stream samples from the database; they
run with any Keras backend (TensorFlow, torch, JAX). Also importable as ``hpcsim.ml.tf``."""

from hpcsim.ml.keras.data import DynamicDataGenerator, StaticDataGenerator

__all__ = ["DynamicDataGenerator", "StaticDataGenerator"]
