"""SmartSim's ``add_ml_model``/``add_script``/``add_function``, shared by models and ensembles:
each builds a checked :class:`DBModel`/:class:`DBScript` and hands it to the entity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hpcsim.entities.dbobjects import DBModel, DBObject, DBScript

__all__ = ["DBObjectMethods"]


class DBObjectMethods:
    """On a model, the objects go into its database before it starts; on an ensemble, into
    that of every member, including members added later."""

    def _add_db_object(self, obj: DBObject) -> None:
        raise NotImplementedError

    def add_ml_model(
        self,
        name: str,
        backend: str,
        model: bytes | None = None,
        model_path: str | Path | None = None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: str | Sequence[str] | None = None,
        outputs: str | Sequence[str] | None = None,
    ) -> None:
        """Load an ML model into this model's database under ``name`` before it starts.

        ``backend`` is TF, TFLITE, TORCH or ONNX; give the serialized model in memory
        (``model``) or as a file (``model_path``). ``device`` is CPU, GPU or GPU:<n>; with GPU,
        ``devices_per_node``/``first_device`` spread it over several GPUs of every node.
        ``batch_size``, ``min_batch_size`` and ``min_batch_timeout`` (ms) batch requests;
        ``inputs``/``outputs`` name a TF graph's tensors. The model goes into the colocated
        database if there is one, else into every running database (SmartSim's behaviour).

        Unlike SmartSim, an in-memory model is fine with a colocated database too: hpcsim
        writes it to a file under the model's directory at launch.
        """
        self._add_db_object(
            DBModel(
                name,
                backend,
                model,
                device=device,
                devices_per_node=devices_per_node,
                first_device=first_device,
                batch_size=batch_size,
                min_batch_size=min_batch_size,
                min_batch_timeout=min_batch_timeout,
                tag=tag,
                inputs=inputs,
                outputs=outputs,
                model_path=model_path,
            )
        )

    def add_script(
        self,
        name: str,
        script: str | None = None,
        script_path: str | Path | None = None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
    ) -> None:
        """Load TorchScript source (``script``, or the file ``script_path``) into this model's
        database under ``name`` before it starts; the application calls its functions with
        ``Client.run_script(name, fn_name, ...)``. Devices as for :meth:`add_ml_model`, and,
        unlike SmartSim, in-memory source is fine with a colocated database too."""
        self._add_db_object(DBScript(name, script, script_path, device, devices_per_node, first_device))

    def add_function(
        self,
        name: str,
        function: Callable[..., Any] | str | None = None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
    ) -> None:
        """Load one TorchScript function under ``name``: a Python function (its source is
        read with ``inspect.getsource``, so it must be written in TorchScript's subset and
        live in a file), or its source as a string. Run it with
        ``Client.run_script(name, <function's name>, ...)``. Unlike SmartSim, a function
        object is fine with a colocated database too (hpcsim writes its source to a file)."""
        self._add_db_object(DBScript.from_function(name, function, device, devices_per_node, first_device))
