"""SmartSim's ``smartsim.settings.dragonRunSettings``: its Dragon launcher's run settings, which
hpcsim does not have; the name imports, and making one is refused."""

from __future__ import annotations

from hpcsim.errors import UnsupportedError
from hpcsim.schedulers.kinds import BATCH_NAMES

__all__ = ["NO_DRAGON", "DragonRunSettings"]

#: SmartSim's Dragon launcher, which hpcsim does not have, and what to use instead
NO_DRAGON = f"hpcsim has no Dragon launcher; use the scheduler's own ({', '.join(BATCH_NAMES)}) or auto"


class DragonRunSettings:
    """SmartSim's run settings for its Dragon launcher, which hpcsim does not have."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise UnsupportedError(f"DragonRunSettings: {NO_DRAGON}")
