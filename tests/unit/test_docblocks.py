"""The docs' code-block convention: how tests/docblocks.py reads a page, and that every page
of README.md and docs/ follows it (each block runs, is a file, or says why it is not run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docblocks import FILE, NOT_RUN, RUNNABLE, Block, DocBlockError, page_needs, parse

_PORT = re.compile(r"\bport\s*[= ]\s*(\d+)", re.IGNORECASE)
REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def one(text: str) -> Block:
    blocks = parse(text, "page.md")
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_backtick_and_tilde_fences_give_language_line_and_text() -> None:
    blocks = parse("# t\n\n```python\nprint(1)\n```\n\n~~~bash\necho ~\n~~~\n\n````sh\n```\n````\n", "page.md")
    assert [(b.language, b.line, b.text) for b in blocks] == [
        ("python", 3, "print(1)\n"),
        ("bash", 7, "echo ~\n"),
        ("sh", 11, "```\n"),
    ]
    assert all(b.runs and b.page == "page.md" for b in blocks)


def test_languages_other_than_python_bash_sh_are_shown_not_run() -> None:
    blocks = parse("```yaml\na: 1\n```\n```\nplain\n```\n```Python {.x}\npass\n```\n", "page.md")
    assert [(b.language, b.runs) for b in blocks] == [("yaml", False), ("", False), ("python", True)]
    assert {"python", "bash", "sh"} == RUNNABLE


def test_an_indented_fence_inside_a_list_loses_its_indent() -> None:
    block = one("- item:\n\n  ```bash\n  echo one\n    echo two\n  ```\n")
    assert (block.language, block.line, block.text) == ("bash", 3, "echo one\n  echo two\n")


def test_a_comment_inside_a_block_is_content_not_a_directive() -> None:
    block = one("```bash\n<!-- not run: x -->\necho\n```\n")
    assert block.runs and block.text == "<!-- not run: x -->\necho\n"


def test_not_run_with_a_reason_keeps_the_block_from_running() -> None:
    block = one("<!-- not run: needs a Slurm cluster -->\n\n```bash\nsbatch job.sh\n```\n")
    assert (block.directive, block.argument, block.runs) == (NOT_RUN, "needs a Slurm cluster", False)


def test_not_run_without_a_reason_is_an_error() -> None:
    for comment in ("<!-- not run -->", "<!-- not run: -->", "<!-- not run:   -->"):
        with pytest.raises(DocBlockError, match=r"page\.md:1: .*needs a reason"):
            parse(f"{comment}\n```bash\necho\n```\n", "page.md")


def test_file_writes_a_block_of_any_language_under_a_relative_name() -> None:
    block = one("<!-- file: inputs/sim.nml -->\n```text\n&grid /\n```\n")
    assert (block.directive, block.argument, block.runs) == (FILE, "inputs/sim.nml", False)


@pytest.mark.parametrize("name", ["../sim.py", "a/../../b.py", "/etc/passwd", "", "two names"])
def test_a_file_name_that_could_leave_the_directory_is_an_error(name: str) -> None:
    with pytest.raises(DocBlockError, match=r"page\.md:1: "):
        parse(f"<!-- file: {name} -->\n```python\npass\n```\n", "page.md")


def test_the_same_file_twice_is_an_error() -> None:
    text = "<!-- file: a.py -->\n```python\n```\n\n<!-- file: a.py -->\n```python\n```\n"
    with pytest.raises(DocBlockError, match=r"page\.md:6: file .a.py. is also written at line 2"):
        parse(text, "page.md")


def test_a_directive_that_no_fence_follows_is_an_error() -> None:
    with pytest.raises(DocBlockError, match=r"page\.md:1: .*not followed by a fenced block"):
        parse("<!-- not run: reason -->\nSome text.\n```bash\necho\n```\n", "page.md")
    with pytest.raises(DocBlockError, match=r"page\.md:4: .*not followed by a fenced block"):
        parse("```bash\necho\n```\n<!-- file: a.py -->\n", "page.md")


def test_two_directives_on_one_block_are_an_error() -> None:
    with pytest.raises(DocBlockError, match=r"page\.md:2: a second directive"):
        parse("<!-- file: a.py -->\n<!-- not run: x -->\n```python\n```\n", "page.md")


def test_other_comments_between_directive_and_fence_are_ignored() -> None:
    block = one("<!-- not run: built by the native tier -->\n<!-- run: cmake-hpcsim -->\n```sh\nmake\n```\n")
    assert (block.directive, block.argument) == (NOT_RUN, "built by the native tier")


def test_an_unclosed_block_is_an_error() -> None:
    with pytest.raises(DocBlockError, match=r"page\.md:2: .*never closed"):
        parse("text\n```python\nprint(1)\n", "page.md")


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_every_page_follows_the_convention(page: Path) -> None:
    """Parsing checks every directive (a reason for each ``not run``, safe file names); a
    python/bash/sh block without one runs in tests/local/test_docs.py."""
    for block in parse(page.read_text(encoding="utf-8"), str(page.relative_to(REPO))):
        if block.directive == NOT_RUN:
            assert len(block.argument.split()) >= 2, f"{block.page}:{block.line}: say why it is not run"


def test_pages_that_run_a_database_use_their_own_port_in_6700_to_6799() -> None:
    owners: dict[int, str] = {}
    for page in PAGES:
        name = str(page.relative_to(REPO))
        for block in parse(page.read_text(encoding="utf-8"), name):
            if not (block.runs or block.directive == FILE):
                continue
            for match in _PORT.finditer(block.text):
                port = int(match[1])
                assert 6700 <= port <= 6799, f"{name}:{block.line}: port {port} is outside 6700-6799"
                assert owners.setdefault(port, name) == name, f"{name}:{block.line}: port {port} is {owners[port]}'s"


def test_page_needs_lists_every_module_of_every_needs_comment() -> None:
    text = "# T\n\n<!-- page needs: torch, keras -->\ntext\n<!--page needs: onnxruntime-->\n<!-- not run: x y -->\n"
    assert page_needs(text) == ["torch", "keras", "onnxruntime"]
    assert page_needs("<!-- needs: torch -->\n") == []  # only the page-level form counts
