"""The dashboard's readers on job stores written through the real JobStore API, and its safe file
reading on real files, links and FIFOs (no processes, no network)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hpcsim.control.store import JobStore, NewJob, store_path
from hpcsim.dashboard.data import ExperimentReader
from hpcsim.dashboard.databases import p99_bucket
from hpcsim.dashboard.files import Refused, read_tail, read_text
from hpcsim.schedulers.base import JobUpdate
from hpcsim.status import Status


def _job(exp: Path, name: str, kind: str = "model") -> NewJob:
    folder = exp / name
    return NewJob(
        name=name,
        kind=kind,
        scheduler="local",
        native_id="1:1",
        script=str(folder / ".hpcsim" / f"{name}.sh"),
        out=str(folder / f"{name}.out"),
        err=str(folder / f"{name}.err"),
        exit_code_file=str(folder / ".hpcsim" / f"{name}.ec"),
        status=Status.QUEUED,
    )


@pytest.fixture
def exp(tmp_path: Path) -> Path:
    """An experiment whose store holds a sweep of three (one failed, one still queued) and a lone model."""
    path = tmp_path / "exp"
    store = JobStore(store_path(path))
    store.set_meta(name="sweep", launcher="local")
    records = store.add([_job(path, name) for name in ("sweep_0", "sweep_1", "sweep_2", "solo")])
    store.update([(record, JobUpdate(Status.RUNNING)) for record in records[:2] + records[3:]])
    first, second, _, solo = store.refresh(records)
    store.update([(first, JobUpdate(Status.COMPLETED, 0)), (second, JobUpdate(Status.FAILED, 3, "exit 3"))])
    store.update([(solo, JobUpdate(Status.COMPLETED, 0))])
    return path


def test_jobs_carry_their_group_and_timeline(exp: Path) -> None:
    summary, jobs, databases = ExperimentReader("0", exp).read()
    assert summary == {
        "exp": "0",
        "name": "sweep",
        "path": str(exp),
        "launcher": "local",
        "counts": {"COMPLETED": 2, "FAILED": 1, "QUEUED": 1},
        "error": None,
    }
    assert databases == {}
    by_name = {job["name"]: job for job in jobs}
    assert {name: job["group"] for name, job in by_name.items()} == {
        "sweep_0": "sweep",
        "sweep_1": "sweep",
        "sweep_2": "sweep",
        "solo": None,
    }
    failed = by_name["sweep_1"]
    assert (failed["status"], failed["exit_code"], failed["reason"]) == ("FAILED", 3, "exit 3")
    assert failed["submitted"] <= failed["started"] <= failed["ended"]
    assert by_name["sweep_2"]["started"] is None and by_name["sweep_2"]["ended"] is None


def test_the_reader_never_writes_and_sees_new_launches(exp: Path) -> None:
    reader = ExperimentReader("0", exp)
    before = sorted(p.name for p in (store_path(exp) / "jobs").iterdir())
    assert len(reader.read()[1]) == 4
    JobStore(store_path(exp)).add([_job(exp, "late")])
    assert [job["name"] for job in reader.read()[1]][-1] == "late"
    assert sorted(p.name for p in (store_path(exp) / "jobs").iterdir()) == sorted([*before, "2.json"])


def test_a_damaged_store_is_one_line_of_error(exp: Path) -> None:
    (store_path(exp) / "jobs" / "1.json").write_text("{not json")
    summary, jobs, _ = ExperimentReader("0", exp).read()
    assert jobs == [] and summary["counts"] == {}
    assert summary["error"].startswith("cannot read the job store") and "\n" not in summary["error"]


def test_a_missing_store_is_one_line_of_error(tmp_path: Path) -> None:
    summary, _, _ = ExperimentReader("3", tmp_path).read()
    assert summary["exp"] == "3" and summary["launcher"] is None
    assert summary["error"] == f"no hpcsim experiment at {str(tmp_path)!r} (missing .hpcsim/store)"


def test_entity_and_tail_of_unknown_jobs_are_none(exp: Path) -> None:
    reader = ExperimentReader("0", exp)
    assert reader.entity(42) is None and reader.tail(42, "out", 10) is None


def test_tail_and_entity_read_the_jobs_files(exp: Path) -> None:
    reader = ExperimentReader("0", exp)
    job = next(job for job in reader.read()[1] if job["name"] == "solo")
    (exp / "solo" / ".hpcsim").mkdir(parents=True)
    (exp / "solo" / ".hpcsim" / "solo.sh").write_text("#!/bin/bash\necho hi\n")
    (exp / "solo" / "solo.err").write_bytes(b"x" * 100 + b"\xff end")
    assert reader.tail(job["id"], "err", 4) == {"text": " end", "size": 105}
    assert reader.tail(job["id"], "err", 5) == {"text": "\ufffd end", "size": 105}  # not UTF-8: replaced
    assert reader.tail(job["id"], "out", 5) == {"text": "", "size": 0}  # not written yet
    entity = reader.entity(job["id"])
    assert entity is not None and entity["script"] == "#!/bin/bash\necho hi\n"
    assert entity["settings"] == {
        "scheduler": "local",
        "native_id": "1:1",
        "kind": "model",
        "script": "solo/.hpcsim/solo.sh",
        "out": "solo/solo.out",
        "err": "solo/solo.err",
    }


def test_files_outside_or_through_links_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "exp"
    (root / "real").mkdir(parents=True)
    (root / "real" / "log").write_text("inside")
    (tmp_path / "secret").write_text("outside")
    (root / "link").symlink_to(root / "real")
    (root / "real" / "to-secret").symlink_to(tmp_path / "secret")
    os.mkfifo(root / "real" / "fifo")
    roots = (root,)
    assert read_tail(roots, root / "real" / "log", 100) == (b"inside", 6)
    assert read_text(roots, root / "real" / "log", 3) == "ins"
    for path, why in [
        (tmp_path / "secret", "outside the experiment"),
        (root / "real" / ".." / ".." / "secret", "not a plain absolute path"),
        (Path("real/log"), "not a plain absolute path"),
        (root, "outside the experiment"),
        (root / "link" / "log", "cannot be opened safely"),
        (root / "real" / "to-secret", "cannot be opened safely"),
        (root / "real" / "fifo", "not a regular file"),
    ]:
        with pytest.raises(Refused, match=why):
            read_tail(roots, path, 10)


def test_the_directory_may_be_named_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "log").write_text("ok")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    roots = (tmp_path / "alias", (tmp_path / "alias").resolve())
    assert read_tail(roots, tmp_path / "real" / "log", 10) == (b"ok", 2)
    assert read_tail(roots, tmp_path / "alias" / "log", 10) == (b"ok", 2)


@pytest.mark.parametrize(
    ("buckets", "executions", "p99"),
    [
        ({}, 0, None),
        ({}, 5, None),
        ({3: 1}, 1, 8),
        ({9: 99, 12: 1}, 100, 512),
        ({9: 98, 12: 2}, 100, 4096),
        ({0: 5}, 0, 1),
        ({4: 10, 6: 10}, 1000, 64),  # fewer counted than executed (an older worker): of those counted
    ],
)
def test_p99_bucket(buckets: dict[int, int], executions: int, p99: int | None) -> None:
    assert p99_bucket(buckets, executions) == p99
