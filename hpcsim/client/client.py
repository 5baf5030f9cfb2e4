"""``Client``: SmartRedis' Python client API over plain Redis (standalone, cluster, Unix socket).

Construction follows SmartRedis: ``Client(config_options=None, logger_name="Default")``, or the
legacy ``Client(cluster, address=None, logger_name="Default")`` (an ``address`` argument is used
directly; unlike SmartRedis it does not overwrite ``os.environ["SSDB"]``). Arguments are
type-checked before any I/O. ``get_tensor`` returns a new writable array into which the
reply was received straight from the socket (no intermediate ``bytes``); ``put_tensor`` sends a
contiguous little-endian array's memory without copying it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import redis

from hpcsim.client._admin import AdminOps
from hpcsim.client._base import check_array, check_bool, check_key, check_str
from hpcsim.client._datasets import DatasetOps
from hpcsim.client._metrics import MetricsOps
from hpcsim.client._models import ModelOps
from hpcsim.client.address import Address, parse_addresses, read_addresses
from hpcsim.client.cluster import Cluster
from hpcsim.client.connection import Command, Standalone, Target
from hpcsim.client.keys import KeyBuilder
from hpcsim.client.known import password_file_for
from hpcsim.client.log import LLDebug, configured_level, log_data
from hpcsim.client.options import (
    ConfigOptions,
    read_credential,
    read_db_type,
    read_durability,
    read_keys,
    read_timeouts,
)
from hpcsim.dataplane import codec
from hpcsim.db import secret
from hpcsim.db.secret import Credential
from hpcsim.errors import ClientError

__all__ = ["Client"]

_STANDARD = ("config_options", "logger_name")
_LEGACY = ("cluster", "address", "logger_name")


def _bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """SmartRedis' constructor dispatch: ``(legacy, arguments by name)``."""
    if args:
        if isinstance(args[0], bool):
            legacy = True
        elif args[0] is None or isinstance(args[0], ConfigOptions):
            legacy = False
        else:
            raise TypeError(
                "Client() takes a ConfigOptions (or None), or the legacy form Client(cluster: bool, address=None), "
                f"not {type(args[0]).__name__}"
            )
    else:
        legacy = "cluster" in kwargs or "address" in kwargs
    names = _LEGACY if legacy else _STANDARD
    if len(args) > len(names):
        raise TypeError(f"Client() takes at most {len(names)} positional arguments ({', '.join(names)})")
    bound = dict(zip(names, args, strict=False))
    for name, value in kwargs.items():
        if name not in names or name in bound:
            raise TypeError(f"Client() got an unexpected or repeated argument {name!r}")
        bound[name] = value
    return legacy, bound


def _driver_credential(addresses: list[Address]) -> tuple[Credential, str] | None:
    """The admin credential of a database this process started or reconnected to (a driver's
    client given just its address), with where it came from; None for any other database."""
    path = password_file_for(addresses)
    if path is None:
        return None
    try:
        return secret.read_credential(path), f"file {path} (a database this driver runs)"
    except (OSError, ValueError):
        return None


class Client(DatasetOps, ModelOps, AdminOps, MetricsOps):
    """A connection to one database (``HPCSIM_DB``/``SSDB``, or a named one via
    ``db_identifier``) with SmartRedis' tensor, dataset, list, model/script and admin methods,
    and hpcsim's training metrics (``log_metric``).

    It takes either of SmartRedis' signatures: ``Client(config_options=None,
    logger_name="Default")`` or the legacy ``Client(cluster, address=None,
    logger_name="Default")``, then hpcsim's keywords.

    Args:
        *args: SmartRedis' arguments by position: ``config_options, logger_name``, or the
            legacy ``cluster, address, logger_name``.
        db_identifier: the database to reach (its ``HPCSIM_DB_<id>`` variables).
        password: the password; default the file ``HPCSIM_DB_PASSWORD_FILE`` names.
        username: the user of ``password``.
        durable: replicas each write must reach before it returns (``WAIT``).
        **kwargs: SmartRedis' arguments by keyword: ``cluster`` (legacy: whether the database
            is a Redis Cluster), ``address`` (legacy: ``host:port`` or ``unix://path``, default
            ``HPCSIM_DB``/``SSDB``), ``config_options`` (a ``ConfigOptions`` naming the
            database's environment) and ``logger_name`` (the name the ``log_*`` methods use).

    Raises:
        ClientConnectionError: no database address is set or given, or the database cannot
            be reached (a ``RuntimeError``).
        ValueError: a bad argument value.
        TypeError: an unknown or repeated argument.

    Example:
        ```python
        import numpy as np
        from hpcsim import Client

        client = Client(cluster=False)  # the database the experiment gave this application
        client.put_tensor("u", np.zeros((128, 128)))
        u = client.get_tensor("u")
        ```
    """

    def __init__(
        self,
        *args: Any,
        db_identifier: str = "",
        password: str | None = None,
        username: str | None = None,
        durable: int | None = None,
        **kwargs: Any,
    ) -> None:
        legacy, bound = _bind(args, kwargs)
        logger_name = check_str(bound.get("logger_name", "Default"), "logger_name")
        check_str(db_identifier, "db_identifier")
        if password is not None:
            check_str(password, "password")
        if username is not None:
            check_str(username, "username")
            if password is None:
                raise ValueError("username needs a password")
        if durable is not None and (isinstance(durable, bool) or not isinstance(durable, int) or durable < 0):
            raise ValueError(f"durable must be a whole number of replicas >= 0, not {durable!r}")
        cluster: bool | None = None
        address: str | None = None
        options: ConfigOptions | None = None
        if legacy:
            if "cluster" in bound:
                cluster = check_bool(bound["cluster"], "cluster")
            if bound.get("address") is not None:
                address = check_str(bound["address"], "address")
        else:
            options = bound.get("config_options")
            if options is not None and not isinstance(options, ConfigOptions):
                raise TypeError(f"config_options must be a ConfigOptions, not {type(options).__name__}")
            if options is not None and db_identifier and options.db_suffix != db_identifier:
                raise ValueError(
                    f"db_identifier {db_identifier!r} differs from the ConfigOptions' suffix {options.db_suffix!r}"
                )
        super().__init__(logger_name)
        self._logger_name = logger_name
        options = options or ConfigOptions.create_from_environment(db_identifier)
        configured_level()
        self._timeouts = read_timeouts(options)
        if address is not None:
            addresses, self._origin = parse_addresses(address, "address"), "the address argument"
        else:
            addresses, self._origin = read_addresses(options)
        is_cluster = cluster if cluster is not None else read_db_type(options, len(addresses))
        credential: Credential | None
        if password is None:
            credential, self._auth = read_credential(options)
            if credential is None:
                credential, self._auth = _driver_credential(addresses) or (None, self._auth)
        else:
            credential = Credential(username, password)
            self._auth = f"password argument{f', user {username}' if username else ''}"
        self._keys = KeyBuilder(*read_keys(options))
        self._ai_tags = {}
        transport = Cluster if is_cluster else Standalone
        replicas, wait = read_durability(options, self._timeouts)
        self._transport = transport(addresses, self._timeouts, credential, self._retrying, self._auth)
        self._transport.durable = replicas if durable is None else durable
        self._transport.durable_timeout = wait
        log_data(logger_name, LLDebug, f"New client created: {self._transport.describe()}")

    def _retrying(self, message: str) -> None:
        log_data(self._logger_name, LLDebug, message)

    def __str__(self) -> str:
        protocol = "RESP2 via redis-py " + redis.__version__
        return "\n".join(
            [
                f"hpcsim Client (logger {self._logger_name!r})",
                f"  Database: {self._transport.describe()} (from {self._origin})",
                f"  Protocol: {protocol}; authentication: {self._auth}",
                f"  Timeouts: {self._timeouts.describe()}",
                f"  Durable puts: {self._durability()}",
                f"  Keys: {self._keys.describe()}",
            ]
        )

    def _durability(self) -> str:
        replicas = self._transport.durable
        if not replicas:
            return "off"
        return f"WAIT for {replicas} replica(s), {self._transport.durable_timeout:g} s"

    def __repr__(self) -> str:
        return f"<hpcsim Client {self._logger_name!r}: {self._transport.describe()}>"

    def close(self) -> None:
        """Close the connections now instead of when the client is garbage-collected."""
        self._transport.close()

    def get_addresses(self) -> list[str]:
        """The addresses of the database's servers (every primary of a cluster)."""
        return [node.label for node in self._transport.nodes()]

    # -- tensors -------------------------------------------------------------------------------

    def put_tensor(self, name: str, data: np.ndarray[Any, Any]) -> None:
        """Store ``data`` under ``name`` (put prefix); the elements are sent without copying
        when the array is C-contiguous and little-endian.

        Args:
            name: the tensor's name; with key prefixing it is stored as ``<entity>.<name>``.
            data: a numpy array of a numeric or boolean dtype.

        Raises:
            TypeError: ``data`` is not a numpy array of a supported dtype.
            ClientError: the database refused the request (a ``RuntimeError``).
        """
        check_key(name, "name")
        parts = codec.encode_tensor(check_array(data))
        self._call(self._keys.tensor_key(name, read=False), b"SET", parts)

    def put_tensors(self, tensors: Mapping[str, np.ndarray[Any, Any]]) -> None:
        """Store several tensors in one pipeline per server (much faster for many small ones)."""
        if not isinstance(tensors, Mapping):
            raise TypeError(f"tensors must be a mapping of name to numpy.ndarray, not {type(tensors).__name__}")
        items: list[tuple[Target, Command]] = []
        for name, data in tensors.items():
            key = self._keys.tensor_key(check_key(name, "tensor name"), read=False).encode()
            items.append((key, (b"SET", key, codec.encode_tensor(check_array(data, f"tensor {name!r}")))))
        self._check_replies(self._run(items), "put_tensors")

    def get_tensor(self, name: str) -> np.ndarray[Any, Any]:
        """The tensor ``name`` (get prefix) as a new writable array, received straight from the
        socket into its memory; KeyNotFoundError if it does not exist.

        Args:
            name: the tensor's name; with a data source set it is read as ``<source>.<name>``.

        Returns:
            The tensor, with the shape and dtype it was stored with.

        Raises:
            KeyNotFoundError: no such tensor (a ``ClientError``, which is a ``RuntimeError``).
        """
        key = self._keys.tensor_key(check_key(name, "name"), read=True)
        value = self._get_tensors([key])[0]
        if value is None:
            raise self._missing("tensor", key, self._keys.prefixed_read(self._keys.tensors))
        return value

    def get_tensors(self, names: Sequence[str]) -> list[np.ndarray[Any, Any]]:
        """Several tensors fetched in one pipeline per server."""
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise TypeError(f"names must be a sequence of str, not {type(names).__name__}")
        keys = [self._keys.tensor_key(check_key(name, "tensor name"), read=True) for name in names]
        found: list[np.ndarray[Any, Any]] = []
        for key, value in zip(keys, self._get_tensors(keys), strict=True):
            if value is None:
                raise self._missing("tensor", key, self._keys.prefixed_read(self._keys.tensors))
            found.append(value)
        return found

    def get_tensors_if_exist(self, names: Sequence[str]) -> list[np.ndarray[Any, Any] | None]:
        """Like ``get_tensors``, with None for each tensor that does not exist (an hpcsim
        extension: one pipeline polls many keys, as the training-data downloaders do)."""
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise TypeError(f"names must be a sequence of str, not {type(names).__name__}")
        return self._get_tensors([self._keys.tensor_key(check_key(name, "tensor name"), read=True) for name in names])

    def unpack_tensor(self, name: str, result: np.ndarray[Any, Any]) -> None:
        """Copy tensor ``name`` into ``result``, which must have its shape and dtype (any byte
        order or memory layout)."""
        check_key(name, "name")
        check_array(result, "result")
        if not result.flags.writeable:
            raise ValueError("result must be a writable array")
        data = self.get_tensor(name)
        if data.shape != result.shape or data.dtype.newbyteorder("=") != result.dtype.newbyteorder("="):
            raise ValueError(
                f"tensor {name!r} is {data.dtype} with shape {data.shape}; result is {result.dtype} "
                f"with shape {result.shape}"
            )
        np.copyto(result, data, casting="equiv")

    def delete_tensor(self, name: str) -> None:
        """Delete tensor ``name`` (get prefix); nothing happens if it does not exist."""
        self._call(self._keys.tensor_key(check_key(name, "name"), read=True), b"DEL")

    def copy_tensor(self, src_name: str, dest_name: str) -> None:
        """Copy ``src_name`` (get prefix) to ``dest_name`` (put prefix), replacing it."""
        self._move(src_name, dest_name, delete_source=False)

    def rename_tensor(self, old_name: str, new_name: str) -> None:
        """Move ``old_name`` (get prefix) to ``new_name`` (put prefix), replacing it."""
        self._move(old_name, new_name, delete_source=True)

    def _move(self, src_name: str, dest_name: str, delete_source: bool) -> None:
        src = self._keys.tensor_key(check_key(src_name, "src_name"), read=True)
        dest = self._keys.tensor_key(check_key(dest_name, "dest_name"), read=False)
        self._check_tensor(src, "rename_tensor" if delete_source else "copy_tensor")
        if src == dest:
            return
        if self._same_slot(src, dest):
            if delete_source:
                reply = self._run([(src.encode(), (b"RENAME", src.encode(), dest.encode()))])[0]
                found = not (isinstance(reply, redis.ResponseError) and "no such key" in str(reply).lower())
                if found:
                    self._check_replies([reply], f"RENAME {src!r} {dest!r}")
            else:
                found = self._call(src, b"COPY", dest.encode(), b"REPLACE") == 1
        else:
            value = self._call(src, b"GET")
            found = value is not None
            if found:
                self._call(dest, b"SET", value)
                if delete_source:
                    self._call(src, b"DEL")
        if not found:
            raise self._missing("tensor", src, self._keys.prefixed_read(self._keys.tensors))

    def _check_tensor(self, key: str, what: str) -> None:
        """KeyNotFoundError if ``key`` is missing, ClientError if it holds no tensor (a list,
        a dataset's fields, a string another program wrote), on any kind of database."""
        raw = key.encode()
        reply = self._run([(raw, (b"GETRANGE", raw, b"0", str(len(codec.MAGIC) - 1).encode()))])[0]
        if reply == b"":
            raise self._missing("tensor", key, self._keys.prefixed_read(self._keys.tensors))
        if isinstance(reply, redis.ResponseError) or reply != codec.MAGIC:
            raise ClientError(f"{what}: {key!r} does not hold a tensor")

    def tensor_exists(self, name: str) -> bool:
        """Whether tensor ``name`` (get prefix) exists."""
        return bool(self._call(self._keys.tensor_key(check_key(name, "name"), read=True), b"EXISTS"))

    def poll_tensor(self, name: str, poll_frequency_ms: int, num_tries: int) -> bool:
        """Check ``num_tries`` times, ``poll_frequency_ms`` apart, whether the tensor exists."""
        check_key(name, "name")
        return self._poll(lambda: self.tensor_exists(name), poll_frequency_ms, num_tries)

    def key_exists(self, key: str) -> bool:
        """Whether ``key`` exists, taken literally (never prefixed)."""
        return bool(self._call(check_key(key, "key"), b"EXISTS"))

    def poll_key(self, key: str, poll_frequency_ms: int, num_tries: int) -> bool:
        """Whether ``key`` (unprefixed) exists, checking every ``poll_frequency_ms`` ms up to ``num_tries`` times."""
        check_key(key, "key")
        return self._poll(lambda: self.key_exists(key), poll_frequency_ms, num_tries)

    # -- ensemble prefixing ----------------------------------------------------------------------

    def set_data_source(self, source_id: str) -> None:
        """Read from ``source_id``, one of the ``HPCSIM_KEYIN``/``SSKEYIN`` entries.

        Args:
            source_id: an incoming entity's name, or this entity's own (``SSKEYOUT``).

        Raises:
            ClientError: ``source_id`` is neither, while ``SSKEYIN`` is set.
        """
        self._keys.set_source(check_str(source_id, "source_id"))

    def use_tensor_ensemble_prefix(self, use_prefix: bool) -> None:
        """Whether tensor names get this entity's prefix when written and the data source's when read."""
        self._keys.tensors = check_bool(use_prefix, "use_prefix")

    def use_dataset_ensemble_prefix(self, use_prefix: bool) -> None:
        """Whether dataset names get this entity's prefix when written and the data source's when read."""
        self._keys.datasets = check_bool(use_prefix, "use_prefix")

    def use_list_ensemble_prefix(self, use_prefix: bool) -> None:
        """Whether aggregation list names get this entity's prefix when written and the data source's when read."""
        self._keys.lists = check_bool(use_prefix, "use_prefix")

    def use_model_ensemble_prefix(self, use_prefix: bool) -> None:
        """Prefix model and script keys too (off by default)."""
        self._keys.models = check_bool(use_prefix, "use_prefix")
