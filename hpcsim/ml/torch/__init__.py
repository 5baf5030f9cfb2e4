"""PyTorch helpers: blobs for models that hpcsim's TORCH backend runs beside the database, and
training-data generators that stream samples from the database into a training loop."""

from hpcsim.ml.torch.data import DataLoader, DynamicDataGenerator, StaticDataGenerator
from hpcsim.ml.torch.serialize import save_model, serialize_model, to_torchscript

__all__ = [
    "DataLoader",
    "DynamicDataGenerator",
    "StaticDataGenerator",
    "save_model",
    "serialize_model",
    "to_torchscript",
]
