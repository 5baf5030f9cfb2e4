"""Issue 19: the job store on shared file systems. One writer per file, whole files renamed
into place, readers that never write, notes from processes that stop others' jobs, concurrent
writers in separate processes (and, as root, separate network and UTS namespaces, as on
separate hosts), the old SQLite format read and migrated, and planted symlinks refused."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.control.store import JobStore, JobStoreError, NewJob, store_path
from hpcsim.schedulers.base import JobUpdate
from hpcsim.status import Status

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hpcsim.control.store import JobStore, NewJob
    from hpcsim.schedulers.base import JobUpdate
    from hpcsim.status import Status

    path, tag, launches = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = JobStore(path)
    store.set_meta(name="shared", launcher="local")
    for n in range(launches):
        jobs = [NewJob(f"{tag}-{n}-{i}", "model", "local", f"{tag}:{n}:{i}", "s", "o", "e", "ec", Status.NEW)
                for i in range(4)]
        records = store.add(jobs)
        store.update([(r, JobUpdate(Status.RUNNING)) for r in records])
        store.update([(r, JobUpdate(Status.COMPLETED, 0)) for r in store.refresh(records)])
    """
)

READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hpcsim.control.store import JobStore

    path, until = Path(sys.argv[1]), Path(sys.argv[2])
    while not (path / "experiment.json").exists():
        time.sleep(0.01)
    store, seen, reads = JobStore(path, create=False), 0, 0
    while not until.exists() or reads < 5:
        runs = store.all_runs()
        assert len(runs) >= seen, (len(runs), seen)  # never a record lost, never a part read
        assert all(r.status.value in ("NEW", "RUNNING", "COMPLETED") for r in runs)
        seen, reads = len(runs), reads + 1
    print(seen, reads)
    """
)

WRITERS, LAUNCHES = 4, 15


def _namespaced(index: int) -> list[str]:
    """A prefix that runs a command in its own network and UTS namespace, named like a host."""
    return ["unshare", "--net", "--uts", "sh", "-c", f'hostname node-{index} && exec "$@"', "sh"]


def _run_concurrently(path: Path, tmp_path: Path, prefix: list[list[str]]) -> None:
    until = tmp_path / "writers-done"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(until)], stdout=subprocess.PIPE, text=True)
    writers = [
        subprocess.Popen([*prefix[i], sys.executable, "-c", WRITER, str(path), f"w{i}", str(LAUNCHES)])
        for i in range(WRITERS)
    ]
    try:
        codes = [w.wait(timeout=300) for w in writers]
        until.touch()
        out, _ = reader.communicate(timeout=120)
    finally:
        for proc in (*writers, reader):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert codes == [0] * WRITERS
    assert reader.returncode == 0, out
    store = JobStore(path, create=False)
    runs = store.all_runs()
    assert len(runs) == WRITERS * LAUNCHES * 4
    assert len({r.id for r in runs}) == len(runs)  # no two launches shared a number
    assert {r.native_id for r in runs} == {
        f"w{w}:{n}:{i}" for w in range(WRITERS) for n in range(LAUNCHES) for i in range(4)
    }
    assert all(r.status is Status.COMPLETED and r.exit_code == 0 for r in runs)
    assert all([h.status for h in store.history(r.id)] == [Status.NEW, Status.RUNNING, Status.COMPLETED] for r in runs)
    leftovers = [p.name for p in (path / "jobs").iterdir() if p.name.startswith(".")]
    assert leftovers == []  # every private file was published or removed
    assert int(out.split()[1]) >= 5


def test_concurrent_writers_in_separate_processes(tmp_path: Path) -> None:
    _run_concurrently(store_path(tmp_path / "exp"), tmp_path, [[] for _ in range(WRITERS)])


def test_concurrent_writers_in_separate_namespaces(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("network and UTS namespaces need root (run this test as root, as .ci/run does)")
    if shutil.which("unshare") is None:
        pytest.skip("no unshare command (util-linux) on this machine")
    path = store_path(tmp_path / "exp")
    _run_concurrently(path, tmp_path, [_namespaced(i) for i in range(WRITERS)])
    writers = {json.loads(p.read_text())["writer"]["host"] for p in _launch_files(path)}
    assert writers == {f"node-{i}" for i in range(WRITERS)}  # each launch file written from its own "host"


def _launch_files(store: Path) -> list[Path]:
    return [p for p in sorted((store / "jobs").glob("[0-9]*.json")) if ".notes." not in p.name]


def _tree(path: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(path)): (p.stat().st_mtime_ns, p.stat().st_size) for p in path.rglob("*")}


def test_readers_never_write(tmp_path: Path) -> None:
    """A job recorded RUNNING by a launcher that has gone: status learns it ended, and keeps
    that in memory."""
    exp_dir = tmp_path / "exp"
    exp = Experiment("readers", exp_path=exp_dir)
    model = exp.create_model("short", exp.create_run_settings("true"))
    exp.start(model, block=False)
    [launch] = _launch_files(store_path(exp_dir))
    raw = json.loads(launch.read_text())
    for job in raw["jobs"]:  # what the file says when a launcher dies before it sees the end
        job["status"], job["history"] = "RUNNING", job["history"][:1]
    launch.write_text(json.dumps(raw))
    exp.get_status(model)  # the model has ended meanwhile; let it finish (this store wrote it)
    launch.write_text(json.dumps(raw))
    before = _tree(exp_dir / ".hpcsim")
    done = subprocess.run([HPCSIM, "status", str(exp_dir), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"COMPLETED"' in done.stdout
    assert Experiment.load(exp_dir).get_status("short") == [Status.COMPLETED]
    assert _tree(exp_dir / ".hpcsim") == before


def test_a_stop_by_another_process_is_a_note_the_launcher_folds_in(tmp_path: Path) -> None:
    exp_dir = tmp_path / "exp"
    exp = Experiment("notes", exp_path=exp_dir)
    model = exp.create_model("sleeper", exp.create_run_settings("sleep", ["60"]))
    exp.start(model, block=False)
    Experiment.load(exp_dir).stop(model)  # another store object, as another process would be
    [notes] = (store_path(exp_dir) / "jobs").glob("*.notes.*.json")
    [launch] = _launch_files(store_path(exp_dir))
    assert json.loads(launch.read_text())["jobs"][0]["status"] != "CANCELLED"  # not written by the stopper
    assert Experiment.load(exp_dir).get_status("sleeper") == [Status.CANCELLED]  # everyone sees the note
    assert exp.get_status(model) == [Status.CANCELLED]  # and the launcher folds it into its file
    [job] = json.loads(launch.read_text())["jobs"]
    assert job["status"] == "CANCELLED" and job["reason"] == "stopped by the user"
    assert notes.exists()


LEGACY_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, kind TEXT NOT NULL,
    scheduler TEXT NOT NULL, native_id TEXT NOT NULL, script TEXT NOT NULL, out TEXT NOT NULL,
    err TEXT NOT NULL, exit_code_file TEXT NOT NULL, status TEXT NOT NULL, exit_code INTEGER,
    reason TEXT NOT NULL DEFAULT '', submitted REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE history (job_id INTEGER NOT NULL, status TEXT NOT NULL, exit_code INTEGER,
    reason TEXT NOT NULL DEFAULT '', time REAL NOT NULL);
CREATE TABLE databases (identifier TEXT PRIMARY KEY, addresses TEXT NOT NULL, cluster INTEGER NOT NULL,
    password_file TEXT NOT NULL, jobs TEXT NOT NULL, started REAL NOT NULL);
"""


def _legacy_store(exp_dir: Path) -> Path:
    """A store as hpcsim 0.2 wrote it: one finished job with its history, and one database."""
    path = exp_dir / ".hpcsim" / "jobs.sqlite"
    path.parent.mkdir(parents=True)
    ec = exp_dir / "old.ec"
    ec.write_text("0\n")
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("name", "old"), ("launcher", "local")])
        db.execute(
            "INSERT INTO jobs VALUES (1, 'old', 'model', 'local', '1:1', 's', 'o', 'e', ?, 'COMPLETED', 0, '', 10, 12)",
            (str(ec),),
        )
        db.executemany("INSERT INTO history VALUES (1, ?, ?, '', ?)", [("RUNNING", None, 10.0), ("COMPLETED", 0, 12.0)])
        db.execute("INSERT INTO databases VALUES ('db', '[\"127.0.0.1:1\"]', 0, '', '[\"db_0\"]', 11)")
    db.close()
    return path


def test_an_old_store_is_read_as_it_is_and_migrated_by_a_writer(tmp_path: Path) -> None:
    exp_dir = tmp_path / "exp"
    legacy = _legacy_store(exp_dir)
    before = legacy.read_bytes()
    loaded = Experiment.load(exp_dir)
    assert loaded.get_status("old") == [Status.COMPLETED]
    assert list(loaded.summary_data()[0].items())[:2] == [("name", "old"), ("type", "model")]
    assert legacy.read_bytes() == before and not store_path(exp_dir).exists()  # reading wrote nothing
    store = JobStore(store_path(exp_dir))  # a writer migrates
    assert not legacy.exists() and legacy.with_name("jobs.sqlite.migrated").is_file()
    [record] = store.all_runs()
    assert (record.name, record.status, record.exit_code, record.updated) == ("old", Status.COMPLETED, 0, 12.0)
    assert [h.status for h in store.history(record.id)] == [Status.RUNNING, Status.COMPLETED]
    assert list(store.databases()) == ["db"] and store.databases()["db"].jobs == ("db_0",)
    assert JobStore(store_path(exp_dir), create=False).meta() == {"name": "old", "launcher": "local"}
    [new] = store.add([NewJob("next", "model", "local", "2:2", "s", "o", "e", "ec", Status.NEW)])
    assert new.id > record.id


def test_a_planted_symlink_is_refused_and_nothing_is_written_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    store = store_path(tmp_path / "exp")
    store.mkdir(parents=True)
    (store / "jobs").symlink_to(outside)
    with pytest.raises(JobStoreError, match=r"jobs is a symlink or not a directory"):
        JobStore(store)
    assert list(outside.iterdir()) == []


def test_a_launch_file_replaced_by_a_symlink_is_not_followed(tmp_path: Path) -> None:
    store = JobStore(store_path(tmp_path / "exp"))
    store.set_meta(name="x", launcher="local")
    [record] = store.add([NewJob("a", "model", "local", "1:1", "s", "o", "e", "ec", Status.NEW)])
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    [launch] = _launch_files(store.path)
    launch.unlink()
    launch.symlink_to(secret)
    with pytest.raises(JobStoreError, match="damaged or not an hpcsim job store"):
        JobStore(store.path, create=False).all_runs()
    store.update([(record, JobUpdate(Status.RUNNING))])  # the writer replaces the link, not its target
    assert secret.read_text() == "{}" and not launch.is_symlink()


def test_a_member_is_stored_as_one_and_a_launch_written_before_the_field_is_not(tmp_path: Path) -> None:
    store = JobStore(store_path(tmp_path / "exp"))
    member = NewJob("ens_0", "member", "slurm", "7", "s", "o", "e", "ec", Status.QUEUED, member=True)
    task = NewJob("arr_0", "member", "slurm", "8_0", "s", "o", "e", "ec2", Status.QUEUED)
    stored = {r.name: r for r in store.add([member, task])}
    assert (stored["ens_0"].ref.member, stored["ens_0"].ref.step) == (True, "ens_0")
    assert (stored["arr_0"].ref.member, stored["arr_0"].ref.step) == (False, "")
    # a launch file written before NewJob had ``member``: its jobs read as no member
    [launch] = (store_path(tmp_path / "exp") / "jobs").glob("*.json")
    raw = json.loads(launch.read_text())
    for job in raw["jobs"]:
        del job["member"]
    launch.write_text(json.dumps(raw))
    reread = {r.name: r for r in JobStore(store_path(tmp_path / "exp")).all_runs()}
    assert (reread["ens_0"].ref.member, reread["ens_0"].ref.step) == (False, "")
