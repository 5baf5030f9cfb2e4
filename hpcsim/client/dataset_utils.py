"""SmartRedis' ``DatasetConverter``: xarray layout kept as string metadata of a ``Dataset``.

``add_metadata_for_xarray`` needs nothing beyond hpcsim: it records which tensors are data
variables and, for each, the metadata fields naming its dimensions, coordinates and attributes
(``_xarray_data_names`` and ``_xarray_<name>_{dim,coord,attr}_names``, as SmartRedis writes
them, ``"null"`` where none are given). ``transform_to_xarray`` builds ``xarray.DataArray``
objects from such a dataset and needs the optional ``xarray`` package, which hpcsim does not
depend on: without it the call raises :class:`~hpcsim.errors.ClientError` (SmartRedis'
``RedisRuntimeError``) naming the package.
"""

from __future__ import annotations

import importlib
from itertools import permutations
from typing import Any

from hpcsim.client.dataset import Dataset
from hpcsim.errors import ClientError

__all__ = ["DatasetConverter"]

_KINDS = ("dim_names", "coord_names", "attr_names")


def _names(value: object, what: str, optional: bool = False) -> list[str] | None:
    if value is None and optional:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{what} must be a str or a list of str, not {value!r}")
    return list(value)


def _check_dataset(dataset: object) -> Dataset:
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a Dataset, not {type(dataset).__name__}")
    return dataset


def _xarray() -> Any:
    try:
        return importlib.import_module("xarray")
    except ImportError as exc:
        raise ClientError(
            "DatasetConverter.transform_to_xarray needs the optional package xarray, which is not "
            "installed; install it (pip install xarray) to build xarray DataArrays"
        ) from exc


def _listed(dataset: Dataset, name: str, kind: str) -> list[str]:
    listed = dataset.get_meta_strings(f"_xarray_{name}_{kind}_names")[0]
    return [] if listed == "null" else listed.split(",")


class DatasetConverter:
    """Store and read xarray layout in a Dataset's metadata (SmartRedis' class of that name)."""

    @staticmethod
    def add_metadata_for_xarray(
        dataset: Dataset,
        data_names: list[str] | str,
        dim_names: list[str] | str,
        coord_names: list[str] | str | None = None,
        attr_names: list[str] | str | None = None,
    ) -> None:
        """Record that tensors ``data_names`` are xarray variables whose dimensions,
        coordinates and attributes are named by the metadata fields listed."""
        _check_dataset(dataset)
        data = _names(data_names, "data_names")
        lists = [
            _names(dim_names, "dim_names"),
            _names(coord_names, "coord_names", optional=True),
            _names(attr_names, "attr_names", optional=True),
        ]
        assert data is not None
        for name in data:
            dataset.add_meta_string("_xarray_data_names", name)
            for kind, values in zip(_KINDS, lists, strict=True):
                dataset.add_meta_string(f"_xarray_{name}_{kind}", ",".join(values) if values else "null")

    @staticmethod
    def transform_to_xarray(dataset: Dataset) -> dict[str, Any]:
        """An ``xarray.DataArray`` for each data variable recorded by
        ``add_metadata_for_xarray``, keyed by its name; tensors named as another variable's
        coordinates become coordinates rather than variables. Needs ``xarray``."""
        _check_dataset(dataset)
        xr = _xarray()
        variables = dataset.get_meta_strings("_xarray_data_names")
        coords: dict[str, dict[str, Any]] = {}
        for name, other in permutations(list(variables), 2):
            if other not in _listed(dataset, name, "coord"):
                continue
            if other in variables:
                variables.remove(other)
            dims = [dataset.get_meta_strings(field)[0] for field in _listed(dataset, other, "dim")]
            attrs = {field: dataset.get_meta_strings(field)[0] for field in _listed(dataset, other, "attr")}
            coords.setdefault(name, {})[other] = (dims, dataset.get_tensor(other), attrs)
        arrays: dict[str, Any] = {}
        for name in variables:
            arrays[name] = xr.DataArray(
                name=name,
                data=dataset.get_tensor(name),
                coords=coords.get(name),
                dims=[dataset.get_meta_strings(field)[0] for field in _listed(dataset, name, "dim")],
                attrs={field: dataset.get_meta_strings(field)[0] for field in _listed(dataset, name, "attr")},
            )
        return arrays
