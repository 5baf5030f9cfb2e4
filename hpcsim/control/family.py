"""Experiments that a submitted driver creates, linked to the submission that ran them.

``hpcsim submit`` records the driver's job in a submission experiment and exports its path as
``HPCSIM_SUBMISSION``; every experiment the driver then opens appends its own path to the
submission's list, so ``hpcsim status SUBMISSION`` can show the entities the driver launched,
wherever the driver put them.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SUBMISSION_ENV", "children", "register_child"]

SUBMISSION_ENV = "HPCSIM_SUBMISSION"


def _list_file(parent: Path) -> Path:
    return parent / ".hpcsim" / "experiments"


def register_child(child: Path) -> None:
    """Link ``child`` to the submission named by ``HPCSIM_SUBMISSION``, if any, once."""
    parent = os.environ.get(SUBMISSION_ENV)
    if not parent or Path(parent) == child or child in children(Path(parent)):
        return
    listing = _list_file(Path(parent))
    listing.parent.mkdir(parents=True, exist_ok=True)
    with listing.open("a") as handle:  # one short append: whole lines even with concurrent writers
        handle.write(f"{child}\n")


def children(parent: Path) -> list[Path]:
    """The experiments linked to ``parent``, in the order they were opened."""
    try:
        lines = _list_file(parent).read_text().splitlines()
    except FileNotFoundError:
        return []
    return list(dict.fromkeys(Path(line) for line in lines if line))
