"""Every Python code block in README.md and docs/*.md runs. Blocks written as `>>>` sessions are
doctests (pytest collects the pages with --doctest-glob); the others are executed here, in a scratch
folder, and any test function they define is called."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PAGES = [README, *sorted((README.parent / "docs").glob("*.md"))]
TEXT = README.read_text(encoding="utf-8")
BLOCKS = [
    b for page in PAGES for b in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
]
# each script block padded with blank lines so that its line numbers are its page's: tools
# that read a function's source back from the file (hypothesis does) then find the right lines
SCRIPTS = [
    (page, "\n" * text[: m.start(1)].count("\n") + m.group(1))
    for page in PAGES
    for text in [page.read_text(encoding="utf-8")]
    for m in re.finditer(r"```python\n(.*?)```", text, re.S)
    if not m.group(1).lstrip().startswith(">>>")
]


def test_the_pages_have_code_to_run() -> None:
    assert len(BLOCKS) >= 8 and SCRIPTS


@pytest.mark.parametrize(
    "page, source", SCRIPTS, ids=[f"{page.name}-block{i}" for i, (page, _) in enumerate(SCRIPTS)]
)
def test_script_blocks_run(page: Path, source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme_block"}
    exec(compile(source, str(page), "exec"), namespace)  # our own pages, not user input
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    for test in tests:
        test()


ROOT = README.parent
USER_FACING = [README, *ROOT.glob("docs/*.md"), *ROOT.glob("tinygrad_edu/*.py"), *ROOT.glob("examples/*.py")]


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_facing_text_points_nowhere_outside_the_repository(path: Path) -> None:
    """The course notes' errata live in docs/errata.md; nothing sends a reader to files we do not ship."""
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text and "ERRATA" not in text


def test_the_errata_name_only_things_that_exist() -> None:
    """Each `module.Name` and file that docs/errata.md points to is in the project."""
    import importlib

    text = (ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    for module, name in re.findall(r"`(nn|ops|optim|losses)\.([A-Za-z_]\w*)", text):
        assert hasattr(importlib.import_module(f"tinygrad_edu.{module}"), name), f"{module}.{name}"
    for file in re.findall(r"`((?:examples|tests)/[\w/]+\.py|[a-z]+\.py)`", text):
        assert (ROOT / file).exists() or (ROOT / "tinygrad_edu" / file).exists(), file


def test_the_readme_is_a_front_door() -> None:
    """Short, and every page it sends the reader to exists (the reference lives in docs/)."""
    assert len(TEXT.encode("utf-8")) <= 12_500
    for target in re.findall(r"\]\(((?:docs|course|benchmarks|examples)/[^)#]*)\)", TEXT):
        assert (ROOT / target).exists(), target
    for page in PAGES[1:]:
        for target in re.findall(r"\]\((\.\./[^)#]+|[\w-]+\.md)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to {target}"
