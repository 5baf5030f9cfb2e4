"""SmartSim's ``smartsim.settings.containers``. hpcsim runs no containers: the names import,
and making one is refused (:class:`~hpcsim.errors.UnsupportedError`, which
``except SSUnsupportedError`` catches)."""

from __future__ import annotations

from hpcsim.errors import UnsupportedError

__all__ = ["Container", "Singularity"]


class Container:
    """SmartSim's container description. hpcsim runs no containers, so making one is refused."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise UnsupportedError(
            f"hpcsim runs no containers ({type(self).__name__} is SmartSim's); run the container runtime "
            "as the executable instead, e.g. create_run_settings(launcher, 'apptainer', ['exec', IMAGE, EXE, ...])"
        )


class Singularity(Container):
    """SmartSim's Singularity container; refused, as :class:`Container`."""
