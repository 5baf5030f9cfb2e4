"""PyTorch helpers for models that hpcsim's TORCH backend runs beside the database."""

from hpcsim.ml.torch.serialize import save_model, serialize_model, to_torchscript

__all__ = ["save_model", "serialize_model", "to_torchscript"]
