"""Issue 20: every fact about a scheduler lives in hpcsim.schedulers.kinds, and everything
else derives from it. A batch scheduler's name is written nowhere else in the library (``local``
is the launcher without a scheduler, the default of many signatures, and stays a plain word)."""

from __future__ import annotations

import re
from pathlib import Path

import hpcsim
from hpcsim.cli.submit import submit
from hpcsim.render import template_dirs
from hpcsim.schedulers import get_scheduler
from hpcsim.schedulers.kinds import BATCH_NAMES, KINDS, NAMES
from hpcsim.settings.factory import batch_class
from hpcsim.site.schema import DEFAULT_LAUNCHERS, SCHEDULERS
from hpcsim.spec.schema import LAUNCHERS

ROOT = Path(hpcsim.__file__).parent
REGISTRY = ROOT / "schedulers" / "kinds.py"


def test_batch_scheduler_names_are_written_only_in_the_registry() -> None:
    quoted = re.compile("[\"']({})[\"']".format("|".join(BATCH_NAMES)))
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if path != REGISTRY
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if quoted.search(line)
    ]
    assert found == []


def test_every_list_and_choice_derives_from_the_registry(tmp_path: Path) -> None:
    assert SCHEDULERS == NAMES
    assert tuple(LAUNCHERS) == ("auto", *NAMES)
    assert dict(DEFAULT_LAUNCHERS) == {name: kind.default_run_command for name, kind in KINDS.items()}
    launcher = next(p for p in submit.params if p.name == "launcher")
    assert list(launcher.type.choices) == ["auto", *NAMES]  # type: ignore[attr-defined]
    assert {name: batch_class(name).scheduler for name in BATCH_NAMES} == {name: name for name in BATCH_NAMES}  # type: ignore[attr-defined]
    assert {name: get_scheduler(name, tmp_path).name for name in NAMES} == {name: name for name in NAMES}


def test_every_batch_scheduler_has_its_template_and_its_facts() -> None:
    for name in BATCH_NAMES:
        kind = KINDS[name]
        assert any((d / "batch" / f"{name}.sh.j2").is_file() for d in template_dirs()), name
        assert kind.commands and kind.job_id_variable and kind.array_index and kind.default_run_command
        assert kind.default_run_command in kind.run_commands


def test_each_batch_class_says_the_common_requests_in_its_own_terms() -> None:
    for name in BATCH_NAMES:
        cls = batch_class(name)
        plain = cls().directives()
        gpus = cls()
        gpus.request_gpus(2)
        assert gpus.directives() != plain, name  # every batch scheduler can ask for GPUs
        assert cls.account_keyword in cls.__init__.__code__.co_varnames, name
        assert cls.queue_keyword in cls.__init__.__code__.co_varnames, name
