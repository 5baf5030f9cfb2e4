"""Experiment containment: ``generate`` never writes or deletes through a symlink or outside
the experiment (or an entity's declared path), and the database secret is never a planted file.

Every test plants victims under ``tmp_path`` outside the experiment and proves they kept their
content and mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.db.secret import SECRET_NAME, ensure_secret, read_secret
from hpcsim.errors import DatabaseError, GenerationError


def snapshot(root: Path) -> dict[str, object]:
    """Everything under ``root`` (contents, link targets, modes), to prove nothing changed."""
    shot: dict[str, object] = {".": stat.S_IMODE(root.lstat().st_mode)}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            shot[key] = ("link", os.readlink(path))
        elif path.is_dir():
            shot[key] = ("dir", stat.S_IMODE(path.stat().st_mode))
        else:
            shot[key] = ("file", path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return shot


@pytest.fixture
def exp(tmp_path: Path) -> Experiment:
    return Experiment("contain", exp_path=tmp_path / "exp")


@pytest.fixture
def rs(exp: Experiment):
    return exp.create_run_settings("/bin/true")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A directory outside the experiment with a file a hostile link would aim at."""
    outside = tmp_path / "o"
    outside.mkdir()
    (outside / "victim.txt").write_text("precious\n")
    (outside / "victim.txt").chmod(0o640)
    return outside


# -- defect 2: writes through a symlink that a to_copy directory brings ----------------------------


def test_configure_under_copied_dir_symlink_is_refused(exp, rs, tmp_path, victim):
    copied = tmp_path / "copied"
    copied.mkdir()
    (copied / "sub").symlink_to(victim)
    configured = tmp_path / "configured"
    (configured / "sub").mkdir(parents=True)
    (configured / "sub" / "victim.txt").write_text("pwned ;x;\n")
    before = snapshot(victim)
    model = exp.create_model("m", rs, params={"x": 1})
    model.attach_generator_files(to_copy=copied, to_configure=configured)
    with pytest.raises(GenerationError, match=r"to_configure .*sub/victim\.txt.*to_copy .*copied.*rename one"):
        exp.generate(model)
    assert snapshot(victim) == before
    assert not Path(model.path).exists(), "every check runs before the first directory is made"


def test_copy_dir_into_copied_dir_symlink_is_refused(exp, rs, tmp_path, victim):
    linking = tmp_path / "linking"
    linking.mkdir()
    (linking / "sub").symlink_to(victim)
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "victim.txt").write_text("pwned\n")
    before = snapshot(victim)
    model = exp.create_model("m", rs)
    model.attach_generator_files(to_copy=[linking, real])
    with pytest.raises(GenerationError, match=r"sub"):
        exp.generate(model)
    assert snapshot(victim) == before
    assert not Path(model.path).exists()


def test_copied_dir_keeps_symlinks_as_symlinks(exp, rs, tmp_path, victim):
    copied = tmp_path / "copied"
    copied.mkdir()
    (copied / "data").symlink_to(victim / "victim.txt")
    (copied / "dir").symlink_to(victim)
    (copied / "rel").symlink_to("../nowhere")
    (copied / "plain.txt").write_text("plain\n")
    before = snapshot(victim)
    model = exp.create_model("m", rs)
    model.attach_generator_files(to_copy=copied)
    exp.generate(model)
    root = Path(model.path)
    assert os.readlink(root / "data") == str(victim / "victim.txt")
    assert os.readlink(root / "dir") == str(victim)
    assert os.readlink(root / "rel") == "../nowhere", "link text is copied verbatim, never resolved"
    assert (root / "plain.txt").read_text() == "plain\n"
    assert snapshot(victim) == before


def test_configure_directory_with_symlink_is_refused(exp, rs, tmp_path, victim):
    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / "in.txt").write_text("a = ;x;\n")
    (configured / "leak.txt").symlink_to(victim / "victim.txt")
    before = snapshot(victim)
    model = exp.create_model("m", rs, params={"x": 1})
    model.attach_generator_files(to_configure=configured)
    with pytest.raises(GenerationError, match=r"to_configure .*leak\.txt is a symlink.*remove the link"):
        exp.generate(model)
    assert snapshot(victim) == before
    assert not Path(model.path).exists()


def test_copy_dir_with_fifo_is_refused(exp, rs, tmp_path):
    copied = tmp_path / "copied"
    copied.mkdir()
    os.mkfifo(copied / "pipe")
    model = exp.create_model("m", rs)
    model.attach_generator_files(to_copy=copied)
    with pytest.raises(GenerationError, match=r"pipe is not a regular file"):
        exp.generate(model)
    assert not Path(model.path).exists()


def test_symlink_planted_during_generation_is_not_followed(exp, rs, tmp_path, victim):
    """A link made by one entity (to_symlink) under another entity's path is never entered."""
    before = snapshot(victim)
    first = exp.create_model("a", rs)
    first.attach_generator_files(to_symlink=victim)  # makes <exp>/a/o -> victim
    second = exp.create_model("b", rs, path=exp.exp_path / "a" / "o" / "b")
    with pytest.raises(GenerationError, match=r"symlink"):
        exp.generate(first, second)
    assert snapshot(victim) == before
    assert not (victim / "b").exists()


def test_to_symlink_is_created_not_traversed(exp, rs, tmp_path, victim):
    configured = tmp_path / "configured"
    (configured / "o").mkdir(parents=True)
    (configured / "o" / "victim.txt").write_text("pwned ;x;\n")
    before = snapshot(victim)
    model = exp.create_model("m", rs, params={"x": 1})
    model.attach_generator_files(to_symlink=victim, to_configure=configured)
    with pytest.raises(GenerationError, match=r"o/victim\.txt.*to_symlink"):
        exp.generate(model)
    assert snapshot(victim) == before


# -- defect 3: overwrite deletes through a symlinked directory inside the experiment ---------------


def test_overwrite_through_symlinked_dir_in_experiment_is_refused(exp, rs, tmp_path, victim):
    (victim / "m").mkdir()
    (victim / "m" / "result.dat").write_text("results\n")
    exp.exp_path.mkdir()
    (exp.exp_path / "link").symlink_to(victim)
    before = snapshot(victim)
    model = exp.create_model("m", rs, path=exp.exp_path / "link" / "m")
    with pytest.raises(GenerationError, match=r"link/m.* symlink .*outside the experiment directory"):
        exp.generate(model, overwrite=True)
    assert snapshot(victim) == before


def test_new_entity_through_symlinked_dir_in_experiment_is_refused(exp, rs, tmp_path, victim):
    exp.exp_path.mkdir()
    (exp.exp_path / "link").symlink_to(victim)
    before = snapshot(victim)
    model = exp.create_model("m", rs, path=exp.exp_path / "link" / "m")
    with pytest.raises(GenerationError, match=r"goes through a symlink.*give the entity"):
        exp.generate(model)
    assert snapshot(victim) == before


def test_overwrite_ensemble_through_symlink_is_refused(exp, rs, tmp_path, victim):
    (victim / "ens" / "ens_0").mkdir(parents=True)
    (victim / "ens" / "ens_0" / "out.dat").write_text("results\n")
    exp.exp_path.mkdir()
    (exp.exp_path / "runs").symlink_to(victim)
    before = snapshot(victim)
    ens = exp.create_ensemble("ens", run_settings=rs, replicas=2, path=exp.exp_path / "runs" / "ens")
    with pytest.raises(GenerationError, match=r"outside the experiment directory"):
        exp.generate(ens, overwrite=True)
    assert snapshot(victim) == before


def test_overwrite_removes_links_inside_entity_dir_not_their_targets(exp, rs, tmp_path, victim):
    model = exp.create_model("m", rs)
    model.attach_generator_files(to_symlink=victim)
    exp.generate(model)
    (Path(model.path) / "sub").mkdir()
    (Path(model.path) / "sub" / "file-link").symlink_to(victim / "victim.txt")
    before = snapshot(victim)
    exp.generate(model, overwrite=True)
    assert snapshot(victim) == before
    assert not (Path(model.path) / "sub").exists()
    assert (Path(model.path) / "o").is_symlink()


def test_overwrite_inside_real_experiment_still_works(exp, rs):
    model = exp.create_model("m", rs)
    exp.generate(model)
    (Path(model.path) / "stale.dat").write_text("old\n")
    exp.generate(model, overwrite=True)
    assert not (Path(model.path) / "stale.dat").exists()
    assert (Path(model.path) / "hpcsim_params.txt").is_file()


def test_experiment_reached_through_a_symlink_still_generates(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    exp = Experiment("viaalias", exp_path=tmp_path / "alias" / "exp")
    model = exp.create_model("m", exp.create_run_settings("/bin/true"))
    exp.generate(model)
    exp.generate(model, overwrite=True)
    assert (tmp_path / "real" / "exp" / "m" / "hpcsim_params.txt").is_file()


# -- defect 4: a planted db.secret ----------------------------------------------------------------


def test_planted_secret_symlink_is_refused(tmp_path):
    target = tmp_path / "attacker.txt"
    target.write_text("known-password\n")
    target.chmod(0o644)
    hidden = tmp_path / "exp" / ".hpcsim"
    hidden.mkdir(parents=True)
    (hidden / SECRET_NAME).symlink_to(target)
    with pytest.raises(DatabaseError, match=r"db\.secret is a symlink.*remove it"):
        ensure_secret(hidden)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text() == "known-password\n"


def test_dangling_secret_symlink_creates_nothing(tmp_path):
    target = tmp_path / "made-by-us"
    hidden = tmp_path / "exp" / ".hpcsim"
    hidden.mkdir(parents=True)
    (hidden / SECRET_NAME).symlink_to(target)
    with pytest.raises(DatabaseError, match=r"symlink"):
        ensure_secret(hidden)
    assert not target.exists()


def test_secret_with_loose_mode_is_refused(tmp_path):
    hidden = tmp_path / ".hpcsim"
    hidden.mkdir()
    (hidden / SECRET_NAME).write_text("guessable\n")
    (hidden / SECRET_NAME).chmod(0o644)
    with pytest.raises(DatabaseError, match=r"mode 0644.*0600"):
        ensure_secret(hidden)
    assert stat.S_IMODE((hidden / SECRET_NAME).stat().st_mode) == 0o644


def test_secret_owned_by_someone_else_is_refused(tmp_path, monkeypatch):
    hidden = tmp_path / ".hpcsim"
    hidden.mkdir()
    ensure_secret(hidden)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(DatabaseError, match=r"owned by uid"):
        ensure_secret(hidden)


def test_secret_that_is_a_directory_is_refused(tmp_path):
    hidden = tmp_path / ".hpcsim"
    (hidden / SECRET_NAME).mkdir(parents=True)
    with pytest.raises(DatabaseError, match=r"not a regular file"):
        ensure_secret(hidden)


def test_symlinked_hidden_dir_is_refused(tmp_path, victim):
    exp_dir = tmp_path / "exp"
    exp_dir.mkdir()
    (exp_dir / ".hpcsim").symlink_to(victim)
    before = snapshot(victim)
    with pytest.raises(DatabaseError, match=r"\.hpcsim is a symlink"):
        ensure_secret(exp_dir / ".hpcsim")
    assert snapshot(victim) == before


def test_secret_is_created_once_with_mode_0600(tmp_path):
    hidden = tmp_path / "exp" / ".hpcsim"
    path = ensure_secret(hidden)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = read_secret(path)
    assert len(password) == 64
    assert ensure_secret(hidden) == path
    assert read_secret(path) == password
