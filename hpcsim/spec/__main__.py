"""``python -m hpcsim.spec SPEC``: what the job made by ``hpcsim submit --spec`` runs.

Exit status: 0 every application completed, 1 one did not, 2 the spec or a setting is wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hpcsim.errors import HpcsimError
from hpcsim.log import log_to_console
from hpcsim.spec import load_spec, run_spec


def _main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m hpcsim.spec SPEC.yaml", file=sys.stderr)
        return 2
    log_to_console()  # the job's progress, in its error file, as the hpcsim command shows it
    try:
        return 0 if run_spec(load_spec(Path(argv[0]))) else 1
    except HpcsimError as exc:
        print(f"hpcsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
