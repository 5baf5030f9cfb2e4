"""How summary rows fold into groups: a batch ensemble's job and members, a local ensemble's
``<name>_<i>`` models, and everything else one group per row."""

from __future__ import annotations

from typing import Any

from hpcsim.control.grouping import describe, group_rows


def _row(name: str, kind: str, status: str = "COMPLETED") -> dict[str, Any]:
    return {"name": name, "type": kind, "status": status}


def test_local_members_fold_into_their_ensemble_in_first_seen_order() -> None:
    rows = [
        _row("orchestrator_0", "database", "RUNNING"),
        _row("sweep_0", "model"),
        _row("sim", "model", "RUNNING"),
        _row("sweep_1", "model", "FAILED"),
        _row("sweep_2", "model", "RUNNING"),
        _row("step_1", "model"),  # alone: a model, whatever its name
    ]
    groups = group_rows(rows)
    assert [(g.name, g.is_ensemble, len(g.rows)) for g in groups] == [
        ("orchestrator_0", False, 1),
        ("sweep", True, 3),
        ("sim", False, 1),
        ("step_1", False, 1),
    ]
    assert groups[1].counts == {"COMPLETED": 1, "FAILED": 1, "RUNNING": 1}
    assert describe(groups[1]) == "sweep: 3 members, 1 completed, 1 failed, 1 running"
    assert describe(groups[2]) == "sim: running"


def test_batch_members_follow_their_ensemble_job_whatever_their_names() -> None:
    rows = [
        _row("ens", "ensemble", "RUNNING"),
        _row("ens_0", "member", "RUNNING"),
        _row("added", "member", "QUEUED"),  # a member added by add_model keeps its own name
        _row("other_0", "model"),
    ]
    [ensemble, other] = group_rows(rows)
    assert ensemble.name == "ens" and ensemble.job is rows[0]
    assert [r["name"] for r in ensemble.rows] == ["ens", "ens_0", "added"]
    assert ensemble.counts == {"RUNNING": 1, "QUEUED": 1}  # the members, not the job holding them
    assert (other.name, other.is_ensemble) == ("other_0", False)
