"""Rendering of local step scripts: hostile strings in arguments, environment values, the
working directory and the output/exit-code paths reach the command literally when the script
really runs under bash; template lookup, HPCSIM_TEMPLATE_PATH overrides, and the TemplateError
raised for missing templates, syntax errors, undefined values and misused filters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hpcsim.errors import TemplateError
from hpcsim.render import StepContext, render, render_local_step, template_dirs

HOSTILE = [
    "$(touch PWNED)",
    "`touch PWNED`",
    "; rm -rf x",
    "x && touch PWNED",
    "|| touch PWNED #",
    "'; touch PWNED; '",
    'it\'s "quoted" \\ back\\slash',
    "line one\nline two\ntouch PWNED",
    "  spaced   out  ",
    "*",
    "$HOME ${PATH}",
    "",
    "-n",
    "tab\there",
]

DUMP = """\
import json, os, sys
with open("result.json", "w") as fh:
    json.dump({"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}, fh)
print("to stdout")
print("to stderr", file=sys.stderr)
"""


@pytest.fixture(autouse=True)
def _shipped_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_TEMPLATE_PATH", raising=False)


def step(**overrides: object) -> StepContext:
    fields: dict[str, object] = {
        "name": "job",
        "kind": "model",
        "cwd": "/tmp",
        "command": ("true",),
        "env": (),
        "out": "/tmp/job.out",
        "err": "/tmp/job.err",
        "exit_code_file": "/tmp/job.ec",
    }
    fields.update(overrides)
    return StepContext(**fields)  # type: ignore[arg-type]


# -- templates ------------------------------------------------------------------------------


def test_missing_template_names_the_search_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    shipped = template_dirs()[-1]
    assert shipped != tmp_path
    with pytest.raises(
        TemplateError,
        match=re.escape(f"template 'step/absent.sh.j2' not found in {tmp_path}, {shipped}"),
    ):
        render("step/absent.sh.j2", step=step())


def test_template_path_override_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "step").mkdir()
    (tmp_path / "step" / "local.sh.j2").write_text(
        "# custom for {{ step.name | shquote }}: {{ step.command | shjoin }}\n"
    )
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    assert render_local_step(step(name="job", command=("echo", "a b"))) == "# custom for job: echo 'a b'\n"


def test_partial_override_is_used_by_the_shipped_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_partials").mkdir()
    (tmp_path / "_partials" / "step.sh.j2").write_text("hpcsim_step_{{ index }}() { site-runner {{ step.name }}; }\n")
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    text = render_local_step(step(env=(("A", "1"),)))
    assert "hpcsim_step_0() { site-runner job; }\n" in text
    assert "export" not in text
    assert text.startswith("#!/bin/bash\n")


def test_override_with_a_syntax_error_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "step").mkdir()
    broken = tmp_path / "step" / "local.sh.j2"
    broken.write_text("#!/bin/bash\n{% if step.name %}\necho {{ step.name }\n{% endif %}\n")
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    with pytest.raises(TemplateError, match=re.escape(f"template {broken}:3: ")):
        render_local_step(step())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ step.no_such_field }}", "no attribute 'no_such_field'"),
        ("{{ mystery | shquote }}", "'mystery' is undefined"),
    ],
)
def test_override_using_an_undefined_value_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    (tmp_path / "step").mkdir()
    (tmp_path / "step" / "local.sh.j2").write_text(body + "\n")
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    with pytest.raises(TemplateError, match=rf"template 'step/local.sh.j2' uses an undefined value: .*{message}"):
        render_local_step(step())


def test_shquote_refuses_sequences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "step").mkdir()
    (tmp_path / "step" / "local.sh.j2").write_text("{{ step.command | shquote }}\n")
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    with pytest.raises(TemplateError, match=re.escape("shquote expects a string or number, got ('true',)")):
        render_local_step(step())
