"""``DataInfo``: what a training-data list holds, published beside it as ``<list>_info``."""

from __future__ import annotations

import logging

from hpcsim.client import Client, Dataset

__all__ = ["DataInfo", "form_name"]

log = logging.getLogger("hpcsim.ml.data")


def form_name(*parts: object) -> str:
    """The ``_``-joined parts that are not None: ``form_name("x", None, 3) == "x_3"``."""
    return "_".join(str(part) for part in parts if part is not None)


class DataInfo:
    """The list name, the tensor names of samples and targets, and the number of classes
    (for one-hot targets) of one training-data list."""

    def __init__(
        self,
        list_name: str,
        sample_name: str = "samples",
        target_name: str = "targets",
        num_classes: int | None = None,
    ) -> None:
        self.list_name = check_name(list_name, "list_name")
        self.sample_name = check_name(sample_name, "sample_name")
        self.target_name = check_name(target_name, "target_name")
        self.num_classes = check_classes(num_classes)

    @property
    def info_name(self) -> str:
        """The key of the dataset that holds this information (``<list_name>_info``)."""
        return form_name(self.list_name, "info")

    def publish(self, client: Client) -> None:
        """Store this description as the dataset ``<list_name>_info``."""
        info = Dataset(self.info_name)
        info.add_meta_string("sample_name", self.sample_name)
        info.add_meta_string("target_name", self.target_name)
        if self.num_classes is not None:
            info.add_meta_scalar("num_classes", self.num_classes)
        client.put_dataset(info)

    def download(self, client: Client) -> None:
        """Read ``<list_name>_info``; keep the defaults (with a warning) if it is not there."""
        if not client.dataset_exists(self.info_name):
            log.warning(
                "no dataset %r: using sample name %r and target name %r",
                self.info_name,
                self.sample_name,
                self.target_name,
            )
            return
        info = client.get_dataset(self.info_name)
        fields = info.get_metadata_field_names()
        self.sample_name = info.get_meta_strings("sample_name")[0]
        self.target_name = info.get_meta_strings("target_name")[0]
        if "num_classes" in fields:
            self.num_classes = int(info.get_meta_scalars("num_classes")[0])

    def __repr__(self) -> str:
        return (
            f"DataInfo(list_name={self.list_name!r}, sample_name={self.sample_name!r}, "
            f"target_name={self.target_name!r}, num_classes={self.num_classes!r})"
        )


def check_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty str, not {value!r}")
    return value


def check_classes(num_classes: object) -> int | None:
    if num_classes is None:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int or None, not {num_classes!r}")
    return num_classes
