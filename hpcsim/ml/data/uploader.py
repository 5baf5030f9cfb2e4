"""``TrainingDataUploader``: a simulation's side of the list protocol."""

from __future__ import annotations

from typing import Any

import numpy as np

from hpcsim.client import Client, Dataset
from hpcsim.ml.data.info import DataInfo, form_name
from hpcsim.ml.data.samples import Layout

__all__ = ["TrainingDataUploader", "TrainingUploader"]


class TrainingDataUploader:
    """Puts batches of samples (and targets) as datasets ``training_samples_[<rank>_]<index>``
    and appends each to the list ``list_name``, where a :class:`DataDownloader` finds them.

    ``rank`` tells the datasets of several uploading processes apart (e.g. the MPI rank). Every
    batch must match the first one in dtype and in shape past the first axis.
    """

    def __init__(
        self,
        list_name: str = "training_data",
        sample_name: str = "samples",
        target_name: str = "targets",
        num_classes: int | None = None,
        cluster: bool = True,
        address: str | None = None,
        rank: int | None = None,
        verbose: bool = False,
    ) -> None:
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 0):
            raise ValueError(f"rank must be a non-negative int or None, not {rank!r}")
        self._info = DataInfo(list_name, sample_name, target_name, num_classes)
        self.client = Client(cluster, address=address)
        self.rank = rank
        self.batch_idx = 0
        self.verbose = verbose
        self._layout = Layout()

    @property
    def list_name(self) -> str:
        """The aggregation list the uploaded batches are appended to."""
        return self._info.list_name

    @property
    def sample_name(self) -> str:
        """The name of the samples tensor in each uploaded batch."""
        return self._info.sample_name

    @property
    def target_name(self) -> str:
        """The name of the targets tensor in each uploaded batch."""
        return self._info.target_name

    @property
    def num_classes(self) -> int | None:
        """The number of classes of the targets, or None when they are not class labels."""
        return self._info.num_classes

    def publish_info(self) -> None:
        """Store the ``<list_name>_info`` dataset that tells downloaders the tensor names."""
        self._info.publish(self.client)

    def put_batch(self, samples: np.ndarray[Any, Any], targets: np.ndarray[Any, Any] | None = None) -> None:
        """Upload one batch: ``samples`` (and ``targets``, one per sample) as the next dataset."""
        name = form_name("training_samples", self.rank, self.batch_idx)
        autoencoding = self.target_name == self.sample_name
        self._layout.check(name, samples, None if autoencoding else targets)
        dataset = Dataset(name)
        dataset.add_tensor(self.sample_name, samples)
        if targets is not None and not autoencoding:
            dataset.add_tensor(self.target_name, targets)
        self.client.put_dataset(dataset)
        self.client.append_to_list(self.list_name, dataset)
        if self.verbose:
            print(f"put batch {name} ({len(samples)} samples) into list {self.list_name!r}", flush=True)
        self.batch_idx += 1


TrainingUploader = TrainingDataUploader
