"""Diagnostics: what hpcsim finds on this machine (``hpcsim info``) and whether a workflow runs
on it end to end (``hpcsim doctor``). The commands in ``hpcsim.cli`` only format what these
return, so a driver or a site's own health check can call them too.

Names are imported on first use: ``collect_info`` must stay fast, and the doctor needs the whole
workflow machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpcsim.diagnostics.doctor import CheckResult, DoctorReport, run_doctor
    from hpcsim.diagnostics.info import collect_info

__all__ = ["CheckResult", "DoctorReport", "collect_info", "run_doctor"]

_HOMES = {
    "CheckResult": "hpcsim.diagnostics.doctor",
    "DoctorReport": "hpcsim.diagnostics.doctor",
    "collect_info": "hpcsim.diagnostics.info",
    "run_doctor": "hpcsim.diagnostics.doctor",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hpcsim.diagnostics' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
