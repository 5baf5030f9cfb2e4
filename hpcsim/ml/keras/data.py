"""``StaticDataGenerator`` and ``DynamicDataGenerator`` as Keras 3 ``PyDataset``s.

Keras reads ``len()`` when ``fit`` starts, so a dynamic generator grows between ``fit`` calls:
train one epoch per call (``fit(generator, epochs=e + 1, initial_epoch=e)``), as SmartSim's
documentation does. New samples are fetched in ``on_epoch_end``. With ``num_classes`` (an
argument, or the list's ``DataInfo``) integer targets become one-hot float32 vectors.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from hpcsim.ml.data import DataDownloader

__all__ = ["DynamicDataGenerator", "StaticDataGenerator"]


class _Generator(keras.utils.PyDataset, DataDownloader):  # type: ignore[misc]
    dynamic_data = False

    def __init__(
        self, *args: Any, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10, **kwargs: Any
    ) -> None:
        if "dynamic" in kwargs:
            raise TypeError(f"{type(self).__name__} takes no 'dynamic': pick Static- or DynamicDataGenerator")
        keras.utils.PyDataset.__init__(
            self, workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size
        )
        kwargs["dynamic"] = self.dynamic_data
        DataDownloader.__init__(self, *args, **kwargs)

    def __getitem__(self, index: int) -> Any:
        batch = self.data_generation(self.batch_indices(index))
        classes = self.num_classes
        if classes is None or not isinstance(batch, tuple) or self.autoencoding:
            return batch
        x, y = batch
        return x, keras.utils.to_categorical(y, classes).astype(np.float32)

    def on_epoch_end(self) -> None:
        self.update_data()


class StaticDataGenerator(_Generator):
    """The data that is there when the generator is made (it waits for one full batch)."""


class DynamicDataGenerator(_Generator):
    """Grows at the end of every epoch with what was uploaded meanwhile."""

    dynamic_data = True
