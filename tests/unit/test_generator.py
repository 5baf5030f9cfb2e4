"""Entity generation: configured files against golden ``correct`` trees, copies, symlinks,
params logs, tags, and the inputs ``generate`` must refuse without creating anything.

Fixtures live in ``tests/fixtures/generator/<case>/{marked,correct}``: ``marked`` holds the
tagged sources and ``correct`` exactly what generation must write for the parameters below.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.errors import GenerationError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "generator"
PARAMS_LOG = "hpcsim_params.txt"

EASY_PARAMS = {"nx": 64, "ny": 32, "dt": 0.005, "name": "easy_run", "tol": "1e-6", "max_iter": 200, "steps": 10}
MED_PARAMS = {
    "N": 1000,
    "box": 12.5,
    "cutoff": 2.5,
    "x": 1,
    "y": 2,
    "precond": "jacobi",
    "dump_every": 50,
    "fmt": "netcdf",
}
NEW_TAG_PARAMS = {"alpha": 0.1, "beta": 2, "gamma": "x3", "steps": 500, "mode": "fast"}


# -- helpers ----------------------------------------------------------------------------------


def marked(case: str) -> Path:
    return FIXTURES / case / "marked"


def correct(case: str) -> Path:
    return FIXTURES / case / "correct"


def tree(root: Path, skip: frozenset[str] = frozenset({PARAMS_LOG})) -> tuple[set[Path], set[Path]]:
    """(relative files, relative directories) under ``root``, leaving out ``skip`` names."""
    files, dirs = set(), set()
    for path in root.rglob("*"):
        if path.name in skip:
            continue
        (dirs if path.is_dir() and not path.is_symlink() else files).add(path.relative_to(root))
    return files, dirs


def assert_same_tree(produced: Path, expected: Path) -> None:
    """Same files and directories, every file byte-for-byte equal."""
    got_files, got_dirs = tree(produced)
    want_files, want_dirs = tree(expected)
    assert got_files == want_files
    assert got_dirs == want_dirs
    for relative in sorted(want_files):
        assert (produced / relative).read_bytes() == (expected / relative).read_bytes(), relative


def snapshot(root: Path) -> dict[str, object]:
    """Everything under ``root`` (contents, link targets, modes), to prove nothing changed."""
    if not root.exists():
        return {}
    shot: dict[str, object] = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            shot[key] = ("link", os.readlink(path))
        elif path.is_dir():
            shot[key] = ("dir", stat.S_IMODE(path.stat().st_mode))
        else:
            shot[key] = ("file", path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return shot


def params_log(entity_dir: Path) -> list[str]:
    return (entity_dir / PARAMS_LOG).read_text().splitlines()


@pytest.fixture
def exp(tmp_path: Path) -> Experiment:
    return Experiment("gen", exp_path=tmp_path / "exp")


@pytest.fixture
def rs(exp: Experiment):
    return exp.create_run_settings("/bin/true")


@pytest.fixture
def gen_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog that sees ``hpcsim.generate`` from the level it sets."""
    caplog.set_level(logging.WARNING, logger="hpcsim.generate")
    return caplog


def generate_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "hpcsim.generate" and r.levelno == logging.WARNING]


# -- configured files against golden trees ---------------------------------------------------


def test_model_easy_files_match_correct(exp, rs, gen_log):
    model = exp.create_model("easy", rs, params=EASY_PARAMS)
    model.attach_generator_files(to_configure=sorted(p for p in marked("easy").iterdir()))
    exp.generate(model)
    root = Path(model.path)
    assert root == exp.exp_path / "easy"
    assert_same_tree(root, correct("easy"))
    # every tag named a parameter, and ini comments made of "; ... ;" were no tags
    assert generate_warnings(gen_log) == []


def test_model_configure_directory_reproduces_hierarchy(exp, rs):
    model = exp.create_model("med", rs, params=MED_PARAMS)
    model.attach_generator_files(to_configure=marked("med"))
    exp.generate(model)
    root = Path(model.path)
    assert_same_tree(root, correct("med"))
    assert (root / "physics" / "solvers" / "cg.txt").is_file()
    assert (root / "io" / "output" / "dump.cfg").is_file()
    # the directory's contents land in the model dir, not a "marked" subdirectory
    assert not (root / "marked").exists()


def test_ensemble_replicas_match_correct(exp, rs):
    ensemble = exp.create_ensemble("ens", params=EASY_PARAMS, run_settings=rs, replicas=3)
    ensemble.attach_generator_files(to_configure=marked("easy"))
    exp.generate(ensemble)
    members = sorted(p.name for p in Path(ensemble.path).iterdir())
    assert members == ["ens_0", "ens_1", "ens_2"]
    for member in ensemble:
        assert Path(member.path) == exp.exp_path / "ens" / member.name
        assert_same_tree(Path(member.path), correct("easy"))


def test_ensemble_nested_directory_matches_correct(exp, rs):
    ensemble = exp.create_ensemble("medens", params=MED_PARAMS, run_settings=rs, replicas=2)
    ensemble.attach_generator_files(to_configure=marked("med"))
    exp.generate(ensemble)
    for member in ensemble:
        assert_same_tree(Path(member.path), correct("med"))


def test_ensemble_members_get_their_own_values(exp, rs):
    params = {**EASY_PARAMS, "nx": [8, 16], "name": ["a", "b"]}
    ensemble = exp.create_ensemble("perm", params=params, run_settings=rs)
    ensemble.attach_generator_files(to_configure=marked("easy") / "in.nml")
    exp.generate(ensemble)
    seen = set()
    for member in ensemble:
        text = (Path(member.path) / "in.nml").read_text()
        nx, name = member.params["nx"], member.params["name"]
        assert f"  nx = {nx}\n" in text
        assert f"  run_name = '{name}'\n" in text
        assert ";" not in text
        seen.add((nx, name))
    assert seen == {("8", "a"), ("8", "b"), ("16", "a"), ("16", "b")}


def test_new_tag_at_sign(exp, rs):
    model = exp.create_model("newtag", rs, params=NEW_TAG_PARAMS)
    model.attach_generator_files(to_configure=marked("new-tag"))
    exp.generate(model, tag="@")
    assert_same_tree(Path(model.path), correct("new-tag"))


def test_default_tag_ignores_at_tags(exp, rs):
    model = exp.create_model("newtag", rs, params=NEW_TAG_PARAMS)
    model.attach_generator_files(to_configure=marked("new-tag") / "params.txt")
    exp.generate(model)
    text = (Path(model.path) / "params.txt").read_text()
    assert "alpha = @alpha@\n" in text
    # with ';' as the tag, the legacy line's ;alpha; is the one that gets replaced
    assert "legacy = 0.1 is no tag when the tag is @\n" in text


def test_two_tags_on_one_line_and_spaced_semicolons(exp, rs, tmp_path):
    source = tmp_path / "line.txt"
    source.write_text("a = ;x; ; b = ;y;\nc = ;x;;y;\nkeep ; this ; text\n")
    model = exp.create_model("two", rs, params={"x": 1, "y": 2})
    model.attach_generator_files(to_configure=source)
    exp.generate(model)
    assert (Path(model.path) / "line.txt").read_text() == "a = 1 ; b = 2\nc = 12\nkeep ; this ; text\n"


def test_multi_character_tag(exp, rs, tmp_path):
    source = tmp_path / "t.txt"
    source.write_text("v = {{v}} ; w = {{w}} ; {v}\n")
    model = exp.create_model("multi", rs, params={"v": "x", "w": 3})
    model.attach_generator_files(to_configure=source)
    exp.generate(model, tag="{{")
    # the closing tag is "{{" as well, so "{{v}}" is no complete tag and stays as it was
    assert (Path(model.path) / "t.txt").read_text() == "v = {{v}} ; w = {{w}} ; {v}\n"
    source.write_text("v = {{v{{ ; w = {{w{{\n")
    exp.generate(model, tag="{{", overwrite=True)
    assert (Path(model.path) / "t.txt").read_text() == "v = x ; w = 3\n"


def test_unmatched_tag_is_replaced_by_its_text_and_warns(exp, rs, gen_log):
    model = exp.create_model("med", rs, params=MED_PARAMS)
    model.attach_generator_files(to_configure=marked("med"))
    exp.generate(model)
    assert (Path(model.path) / "physics" / "forces.cfg").read_text() == "cutoff = 2.5\nTHERMO = 10\n"
    warnings = generate_warnings(gen_log)
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "med" in message
    assert "forces.cfg" in message
    assert message.endswith(": 10")


def test_unmatched_tag_warns_once_per_member(exp, rs, gen_log):
    ensemble = exp.create_ensemble("w", params={**MED_PARAMS, "N": [1, 2, 3]}, run_settings=rs)
    ensemble.attach_generator_files(to_configure=marked("med") / "physics" / "forces.cfg")
    exp.generate(ensemble)
    messages = [r.getMessage() for r in generate_warnings(gen_log)]
    assert len(messages) == 3
    assert sorted(m.split(":")[0] for m in messages) == ["w_0", "w_1", "w_2"]


# -- copies, symlinks, modes, params log -------------------------------------------------------


def test_to_copy_file_and_directory_contents(exp, rs, tmp_path):
    single = tmp_path / "data.bin"
    single.write_bytes(bytes(range(256)))
    tree_dir = tmp_path / "inputs"
    (tree_dir / "sub" / "deeper").mkdir(parents=True)
    (tree_dir / "top.txt").write_text("top ;x;\n")
    (tree_dir / "sub" / "deeper" / "leaf.dat").write_bytes(b"\x00\xff leaf")
    model = exp.create_model("copier", rs, params={"x": 9})
    model.attach_generator_files(to_copy=[single, tree_dir])
    exp.generate(model)
    root = Path(model.path)
    assert (root / "data.bin").read_bytes() == bytes(range(256))
    # a copied directory contributes its contents, not itself
    assert not (root / "inputs").exists()
    assert (root / "top.txt").read_text() == "top ;x;\n", "copied files are not configured"
    assert (root / "sub" / "deeper" / "leaf.dat").read_bytes() == b"\x00\xff leaf"
    for path in (root / "data.bin", root / "top.txt", root / "sub" / "deeper" / "leaf.dat"):
        assert not path.is_symlink()
    # copies are independent of their sources
    single.write_bytes(b"changed")
    assert (root / "data.bin").read_bytes() == bytes(range(256))


def test_to_symlink_points_to_absolute_source(exp, rs, tmp_path, monkeypatch):
    (tmp_path / "big.h5").write_bytes(b"hdf5")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "table.csv").write_text("a,b\n")
    monkeypatch.chdir(tmp_path)
    model = exp.create_model("linker", rs)
    model.attach_generator_files(to_symlink=["big.h5", "shared"])  # relative on purpose
    exp.generate(model)
    root = Path(model.path)
    link = root / "big.h5"
    assert link.is_symlink()
    assert os.path.isabs(os.readlink(link))
    assert Path(os.readlink(link)) == (tmp_path / "big.h5").resolve()
    assert link.read_bytes() == b"hdf5"
    # a symlinked directory keeps its own name
    assert (root / "shared").is_symlink()
    assert Path(os.readlink(root / "shared")) == (tmp_path / "shared").resolve()
    assert (root / "shared" / "table.csv").read_text() == "a,b\n"


def test_configured_file_keeps_source_mode(exp, rs, tmp_path):
    source = marked("easy") / "run.sh"
    assert source.stat().st_mode & stat.S_IXUSR, "fixture run.sh lost its exec bit"
    private = tmp_path / "private.cfg"
    private.write_text("secret = ;s;\n")
    private.chmod(0o640)
    model = exp.create_model("modes", rs, params={**EASY_PARAMS, "s": 1})
    model.attach_generator_files(to_configure=[source, private])
    exp.generate(model)
    root = Path(model.path)
    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == stat.S_IMODE(source.stat().st_mode)
    assert os.access(root / "run.sh", os.X_OK)
    assert stat.S_IMODE((root / "private.cfg").stat().st_mode) == 0o640


def test_params_log_lists_params_and_configured_files(exp, rs):
    model = exp.create_model("med", rs, params=MED_PARAMS)
    model.attach_generator_files(to_configure=marked("med"))
    exp.generate(model)
    lines = params_log(Path(model.path))
    assert lines[0] == "model: med"
    for name, value in MED_PARAMS.items():
        assert f"  {name} = {value}" in lines
    configured = [line.strip().split(" (from ")[0] for line in lines[lines.index("configured files:") + 1 :]]
    assert sorted(configured) == sorted(
        ["med.in", "physics/forces.cfg", "physics/solvers/cg.txt", "io/output/dump.cfg"]
    )
    forces = next(line for line in lines if line.strip().startswith("physics/forces.cfg"))
    assert str(marked("med") / "physics" / "forces.cfg") in forces
    assert forces.endswith(": cutoff")


def test_params_log_per_ensemble_member(exp, rs):
    ensemble = exp.create_ensemble("logs", params={"nx": [1, 2], "name": "n"}, run_settings=rs)
    ensemble.attach_generator_files(to_configure=marked("easy") / "in.nml")
    exp.generate(ensemble)
    for member in ensemble:
        lines = params_log(Path(member.path))
        assert lines[0] == f"model: {member.name}"
        assert f"  nx = {member.params['nx']}" in lines
        assert "  name = n" in lines
        assert any(line.startswith("  in.nml (from ") for line in lines)
    assert not (Path(ensemble.path) / PARAMS_LOG).exists()


def test_model_without_files_gets_dir_and_log(exp, rs):
    model = exp.create_model("bare", rs, params={"p": 1})
    exp.generate(model)
    root = Path(model.path)
    assert sorted(p.name for p in root.iterdir()) == [PARAMS_LOG]
    assert params_log(root) == ["model: bare", "parameters:", "  p = 1", "configured files:"]


# -- refusals: nothing may be created ---------------------------------------------------------


def test_existing_dir_without_overwrite_creates_nothing(exp, rs, tmp_path):
    old = exp.exp_path / "old"
    old.mkdir(parents=True)
    (old / "keep.txt").write_text("mine")
    before = snapshot(exp.exp_path)
    first = exp.create_model("old", rs, params=EASY_PARAMS)
    fresh = exp.create_model("fresh", rs, params=EASY_PARAMS)
    for model in (first, fresh):
        model.attach_generator_files(to_configure=marked("easy"))
    ensemble = exp.create_ensemble("newens", params=EASY_PARAMS, run_settings=rs, replicas=2)
    with pytest.raises(GenerationError, match=r"overwrite=True") as info:
        exp.generate(first, fresh, ensemble)
    assert str(old) in str(info.value)
    assert not Path(fresh.path).exists()
    assert not Path(ensemble.path).exists()
    assert snapshot(exp.exp_path) == before


def test_overwrite_replaces_old_content(exp, rs):
    model = exp.create_model("easy", rs, params=EASY_PARAMS)
    model.attach_generator_files(to_configure=marked("easy"))
    root = Path(model.path)
    root.mkdir(parents=True)
    (root / "stale.txt").write_text("from an earlier run")
    (root / "in.nml").write_text("old namelist")
    exp.generate(model, overwrite=True)
    assert not (root / "stale.txt").exists()
    assert_same_tree(root, correct("easy"))


def test_overwrite_ensemble_drops_stale_members(exp, rs):
    ensemble = exp.create_ensemble("ens", params=EASY_PARAMS, run_settings=rs, replicas=2)
    ensemble.attach_generator_files(to_configure=marked("easy"))
    stale_member = Path(ensemble.path) / "ens_7"
    stale_member.mkdir(parents=True)
    exp.generate(ensemble, overwrite=True)
    assert not stale_member.exists()
    assert sorted(p.name for p in Path(ensemble.path).iterdir()) == ["ens_0", "ens_1"]


def test_regenerate_same_experiment_requires_overwrite(exp, rs):
    model = exp.create_model("again", rs, params=EASY_PARAMS)
    model.attach_generator_files(to_configure=marked("easy"))
    exp.generate(model)
    before = snapshot(exp.exp_path)
    with pytest.raises(GenerationError, match=r"overwrite=True"):
        exp.generate(model)
    assert snapshot(exp.exp_path) == before


def test_deleted_configure_source_creates_nothing(exp, rs, tmp_path):
    source = tmp_path / "gone.txt"
    source.write_text("v = ;v;\n")
    good = exp.create_model("good", rs, params={"v": 1})
    good.attach_generator_files(to_configure=marked("easy"))
    doomed = exp.create_model("doomed", rs, params={"v": 1})
    doomed.attach_generator_files(to_configure=source)
    source.unlink()
    with pytest.raises(GenerationError, match=r"doomed: attached file .*gone\.txt no longer exists"):
        exp.generate(good, doomed)
    assert not exp.exp_path.exists()


def test_deleted_copy_source_in_ensemble_creates_nothing(exp, rs, tmp_path):
    source = tmp_path / "copyme"
    source.mkdir()
    ensemble = exp.create_ensemble("ens", params={"a": [1, 2]}, run_settings=rs)
    ensemble.attach_generator_files(to_copy=source)
    source.rmdir()
    with pytest.raises(GenerationError, match=r"no longer exists"):
        exp.generate(ensemble)
    assert not exp.exp_path.exists()


def test_binary_configure_file_creates_nothing(exp, rs, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "ok.txt").write_text("n = ;n;\n")
    (inputs / "restart.bin").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x80")
    first = exp.create_model("first", rs, params={"n": 1})
    first.attach_generator_files(to_configure=marked("easy"))
    second = exp.create_model("second", rs, params={"n": 2})
    second.attach_generator_files(to_configure=inputs)
    with pytest.raises(GenerationError, match=r"restart\.bin: it is not a UTF-8 text file"):
        exp.generate(first, second)
    assert not exp.exp_path.exists()


@pytest.mark.parametrize("tag", ["", " ", "\t", "a b", ";\n"])
def test_bad_tag_creates_nothing(exp, rs, tag):
    model = exp.create_model("m", rs, params=EASY_PARAMS)
    model.attach_generator_files(to_configure=marked("easy"))
    with pytest.raises(GenerationError, match=r"tag must be a non-empty string without whitespace"):
        exp.generate(model, tag=tag)
    assert not exp.exp_path.exists()


def test_existing_dir_outside_experiment_is_not_overwritten(exp, rs, tmp_path):
    outside = tmp_path / "elsewhere" / "model"
    outside.mkdir(parents=True)
    (outside / "precious.dat").write_text("do not delete")
    before = snapshot(outside)
    model = exp.create_model("outsider", rs, params=EASY_PARAMS, path=outside)
    inside = exp.create_model("insider", rs, params=EASY_PARAMS)
    with pytest.raises(GenerationError, match=r"refusing to overwrite .*outside the experiment directory"):
        exp.generate(inside, model, overwrite=True)
    assert snapshot(outside) == before
    assert not Path(inside.path).exists()


def test_new_dir_outside_experiment_is_created(exp, rs, tmp_path):
    outside = tmp_path / "elsewhere" / "model"
    model = exp.create_model("outsider", rs, params=EASY_PARAMS, path=outside)
    model.attach_generator_files(to_configure=marked("easy"))
    exp.generate(model)
    assert_same_tree(outside, correct("easy"))


# -- known hpcsim bugs (see the report that came with these tests) -----------------------------


def test_dotdot_path_outside_experiment_is_not_overwritten(exp, rs, tmp_path):
    exp.exp_path.mkdir()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.dat").write_text("do not delete")
    model = exp.create_model("sneaky", rs, path=exp.exp_path / ".." / "victim")
    with pytest.raises(GenerationError, match=r"outside the experiment directory"):
        exp.generate(model, overwrite=True)
    assert (victim / "precious.dat").read_text() == "do not delete"


def test_configure_never_writes_through_a_symlink(exp, rs, tmp_path):
    (tmp_path / "linked").mkdir()
    (tmp_path / "tagged").mkdir()
    original = tmp_path / "linked" / "input.txt"
    original.write_text("original ;x;\n")
    (tmp_path / "tagged" / "input.txt").write_text("configured ;x;\n")
    model = exp.create_model("clash", rs, params={"x": 5})
    model.attach_generator_files(to_symlink=original, to_configure=tmp_path / "tagged" / "input.txt")
    with contextlib.suppress(GenerationError):  # refusing the name clash is as good as not writing through it
        exp.generate(model)
    assert original.read_text() == "original ;x;\n"


def test_copy_symlink_name_clash_creates_nothing(exp, rs, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text("a")
    (tmp_path / "b" / "same.txt").write_text("b")
    model = exp.create_model("clash", rs)
    model.attach_generator_files(to_copy=tmp_path / "a" / "same.txt", to_symlink=tmp_path / "b" / "same.txt")
    with pytest.raises(GenerationError, match=r"same\.txt"):
        exp.generate(model)
    assert not Path(model.path).exists()


def test_configure_keeps_crlf_line_endings(exp, rs, tmp_path):
    source = tmp_path / "dos.ini"
    source.write_bytes(b"[run]\r\nsteps = ;steps;\r\nname = x\r\n")
    model = exp.create_model("dos", rs, params={"steps": 3})
    model.attach_generator_files(to_configure=source)
    exp.generate(model)
    assert (Path(model.path) / "dos.ini").read_bytes() == b"[run]\r\nsteps = 3\r\nname = x\r\n"


def test_entity_path_that_is_a_file_is_refused_before_deleting(exp, rs):
    exp.exp_path.mkdir()
    kept = exp.create_model("kept", rs)
    Path(kept.path).mkdir()
    (Path(kept.path) / "result.dat").write_text("old results")
    (exp.exp_path / "plain").write_text("a file, not a directory")
    blocked = exp.create_model("plain", rs)
    with pytest.raises(GenerationError, match=r"plain"):
        exp.generate(kept, blocked, overwrite=True)
    assert (Path(kept.path) / "result.dat").read_text() == "old results"
