"""Running a user's driver script as ``__main__``, as ``python DRIVER.py ARGS`` would.

``hpcsim preview`` runs it in this process with ``HPCSIM_DRY_RUN`` set; a job made by
``hpcsim submit`` runs ``python -m hpcsim.driver --cwd DIR DRIVER ARGS...`` so the driver starts
in the directory it was submitted from while the job's own files live in the submission.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

from hpcsim.log import log_to_console

__all__ = ["run_driver"]


def run_driver(driver: Path, args: Sequence[str], cwd: Path | None = None) -> None:
    """Execute ``driver`` with ``sys.argv`` set to it and ``args``, its folder importable."""
    if cwd is not None:
        os.chdir(cwd)
    sys.argv = [str(driver), *args]
    sys.path.insert(0, str(driver.resolve().parent))
    runpy.run_path(str(driver), run_name="__main__")


def _main(argv: Sequence[str]) -> None:
    if len(argv) < 3 or argv[0] != "--cwd":
        sys.exit("usage: python -m hpcsim.driver --cwd DIR DRIVER [ARGS...]")
    log_to_console()  # the job's progress, in its error file, as the hpcsim command shows it
    run_driver(Path(argv[2]), argv[3:], Path(argv[1]))


if __name__ == "__main__":
    _main(sys.argv[1:])
