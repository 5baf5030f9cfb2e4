"""RunSettings (executable resolution, exe args, env vars, run args, command order),
BatchSettings (nodes, batch args, preamble) and Experiment.create_run_settings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hpcsim import BatchSettings, Experiment, RunSettings
from hpcsim.errors import SettingsError


@pytest.fixture
def tool(tmp_path: Path) -> Path:
    """An executable script ``mytool`` in ``tmp_path/bin``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    path = bin_dir / "mytool"
    path.write_text('#!/bin/sh\necho "$0"\n')
    path.chmod(0o755)
    return path


# -- executable -----------------------------------------------------------------------------


def test_exe_name_is_resolved_on_path(tool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    assert RunSettings("mytool").exe == str(tool)


def test_exe_given_by_absolute_path(tool: Path) -> None:
    assert RunSettings(str(tool)).exe == str(tool)


def test_exe_given_by_relative_path_is_made_absolute(tool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tool.parent.parent)
    assert RunSettings("./bin/mytool").exe == str(tool)
    assert RunSettings("bin/mytool").exe == str(tool)


def test_exe_with_tilde_is_expanded(tool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tool.parent.parent))
    assert RunSettings("~/bin/mytool").exe == str(tool)


def test_missing_exe_name_mentions_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SettingsError, match="executable 'no-such-tool-xyz' not found on PATH; give its full path"):
        RunSettings("no-such-tool-xyz")


def test_missing_exe_path_fails(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"executable not found: .*no such file"):
        RunSettings(str(tmp_path / "bin" / "absent"))


def test_directory_is_not_an_executable(tool: Path) -> None:
    with pytest.raises(SettingsError, match=r"executable .* is a directory, not a program"):
        RunSettings(str(tool.parent))


def test_non_executable_file_is_refused(tool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool.chmod(0o644)
    with pytest.raises(SettingsError, match=re.escape(f"{str(tool)!r} is not executable (chmod +x it")):
        RunSettings(str(tool))
    monkeypatch.setenv("PATH", str(tool.parent))
    with pytest.raises(SettingsError, match="not found on PATH"):
        RunSettings("mytool")


@pytest.mark.parametrize("exe", ["", "   ", None, 5])
def test_exe_must_be_a_non_empty_string(exe: object) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"exe must be a non-empty string, got {exe!r}")):
        RunSettings(exe)


def test_exe_given_through_a_symlink_keeps_the_link(tool: Path) -> None:
    link = tool.parent / "alias"
    link.symlink_to(tool)
    assert RunSettings(str(link)).exe == str(link)


# -- exe args -------------------------------------------------------------------------------


def test_exe_args_string_is_split_like_a_shell() -> None:
    rs = RunSettings("sh", exe_args="run --name \"two words\" 'single $q' plain\\ space")
    assert rs.exe_args == ["run", "--name", "two words", "single $q", "plain space"]


def test_exe_args_list_is_kept_verbatim() -> None:
    args = ["two words", "$(not expanded)", "", "*"]
    rs = RunSettings("sh", exe_args=args)
    assert rs.exe_args == args
    assert rs.exe_args is not args


def test_no_exe_args() -> None:
    assert RunSettings("sh").exe_args == []


def test_unbalanced_quotes_fail() -> None:
    with pytest.raises(SettingsError, match="exe_args 'say \"hi' cannot be split: No closing quotation"):
        RunSettings("sh", exe_args='say "hi')


def test_non_string_exe_args_are_refused() -> None:
    with pytest.raises(SettingsError, match=re.escape("exe_args must be strings; got [1, 2.5] (convert them")):
        RunSettings("sh", exe_args=["-n", 1, 2.5])


def test_add_exe_args_takes_a_string_or_a_list() -> None:
    rs = RunSettings("sh", exe_args=["a"])
    rs.add_exe_args("b 'c d'")
    rs.add_exe_args(["e f"])
    assert rs.exe_args == ["a", "b", "c d", "e f"]
    with pytest.raises(SettingsError, match="exe_args must be strings"):
        rs.add_exe_args([None])
    assert rs.exe_args == ["a", "b", "c d", "e f"]


# -- environment ----------------------------------------------------------------------------


def test_env_values_are_stringified_and_none_kept() -> None:
    rs = RunSettings("sh", env_vars={"A": 1, "_B2": 0.5, "C": "x y", "D": None})
    assert rs.env_vars == {"A": "1", "_B2": "0.5", "C": "x y", "D": None}
    rs.update_env({"A": "2", "E": "new"})
    assert rs.env_vars == {"A": "2", "_B2": "0.5", "C": "x y", "D": None, "E": "new"}


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A B", "", "A=B", "$X", "Ä", 5])
def test_invalid_env_names_are_refused(name: object) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"environment variable name {name!r} is invalid")):
        RunSettings("sh", env_vars={name: "x"})


def test_env_name_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(SettingsError, match="is invalid"):
        RunSettings("sh", env_vars={"FOO\n": "x"})


@pytest.mark.parametrize(("value", "type_name"), [([1], "list"), ({"a": 1}, "dict"), (True, "bool"), (b"x", "bytes")])
def test_env_values_of_bad_type_are_refused(value: object, type_name: str) -> None:
    with pytest.raises(SettingsError, match=f"environment variable 'V' has a value of type {type_name}"):
        RunSettings("sh", env_vars={"V": value})


# -- run args and command -------------------------------------------------------------------


def test_run_args_are_formatted_long_short_and_bare() -> None:
    rs = RunSettings(
        "sh",
        run_command="mpirun",
        run_args={"nodes": 2, "n": 4, "verbose": None, "x": None, "--ntasks-per-node": 8, "-c": "2"},
    )
    # a plain command's arguments keep their values and the dashes they were given (SmartSim's form)
    assert rs.run_args == {"nodes": 2, "n": 4, "verbose": None, "x": None, "--ntasks-per-node": 8, "-c": "2"}
    assert rs.format_run_args() == ["-nodes", "2", "-n", "4", "-verbose", "-x", "--ntasks-per-node", "8", "-c", "2"]


def test_set_overrides_an_earlier_value() -> None:
    rs = RunSettings("sh", run_command="mpirun", run_args={"n": 2})
    rs.set("--n", 8)
    assert rs.format_run_args() == ["-n", "8"]


@pytest.mark.parametrize("arg", ["", "--", 3])
def test_run_arg_name_must_be_non_empty(arg: object) -> None:
    with pytest.raises(SettingsError, match="run argument name must be a non-empty string"):
        RunSettings("sh").set(arg, 1)


def test_run_arg_value_of_bad_type_is_refused() -> None:
    with pytest.raises(SettingsError, match="run argument 'nodes' has a value of type list"):
        RunSettings("sh", run_args={"nodes": [1, 2]})


def test_reserved_run_args_are_refused() -> None:
    class ReservingSettings(RunSettings):
        reserved_run_args = frozenset({"nodes"})

    rs = ReservingSettings("sh", run_command="launcher")
    with pytest.raises(SettingsError, match="run argument 'nodes' is set by hpcsim for ReservingSettings"):
        rs.set("--nodes", 4)
    rs.set("ntasks", 4)
    assert rs.run_args == {"ntasks": 4}


def test_command_orders_launcher_run_args_exe_exe_args() -> None:
    rs = RunSettings("sh", exe_args=["-c", "echo hi"], run_command="mpirun", run_args={"n": 4, "bind-to": "core"})
    assert rs.command() == ["mpirun", "-n", "4", "-bind-to", "core", rs.exe, "-c", "echo hi"]


def test_command_without_run_command_is_exe_and_args() -> None:
    rs = RunSettings("sh", exe_args=["-c", "true"], run_args={"n": 4})
    assert rs.command() == [rs.exe, "-c", "true"]


def test_create_run_settings_auto_runs_directly_with_local_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exp = Experiment("exp", launcher="local")
    rs = exp.create_run_settings("sh", exe_args="-c 'exit 0'", env_vars={"A": 1})
    assert rs.run_command is None
    assert rs.command() == [rs.exe, "-c", "exit 0"]
    assert rs.env_vars == {"A": "1"}
    explicit = exp.create_run_settings("sh", run_command="mpirun", run_args={"n": 2})
    assert explicit.command() == ["mpirun", "-n", "2", explicit.exe]


# -- batch settings -------------------------------------------------------------------------


@pytest.mark.parametrize("nodes", [None, 1, 128])
def test_valid_nodes(nodes: int | None) -> None:
    assert BatchSettings("sbatch", nodes=nodes).nodes == nodes


@pytest.mark.parametrize("nodes", [0, -1, True, "2", 1.5])
def test_invalid_nodes_are_refused(nodes: object) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"nodes must be an integer >= 1, got {nodes!r}")):
        BatchSettings("sbatch", nodes=nodes)


def test_batch_args_keep_their_values() -> None:
    bs = BatchSettings("sbatch", nodes=2, time="01:00:00", batch_args={"exclusive": None, "mem": 100})
    assert bs.batch_args == {"exclusive": None, "mem": 100}
    assert (bs.walltime_str, bs.account, bs.queue) == ("01:00:00", "", "")


def test_add_preamble_takes_a_string_or_a_list_in_order() -> None:
    bs = BatchSettings("sbatch")
    bs.add_preamble("module load gcc")
    bs.add_preamble(["export A=1", "cd $SCRATCH"])
    assert bs.preamble == ["module load gcc", "export A=1", "cd $SCRATCH"]
    bs.preamble.append("not stored")
    assert len(bs.preamble) == 3


def test_non_string_preamble_lines_are_refused() -> None:
    bs = BatchSettings("sbatch")
    bs.add_preamble("first")
    with pytest.raises(SettingsError, match="preamble lines must be strings"):
        bs.add_preamble(["ok", 42])
    assert bs.preamble == ["first"]
