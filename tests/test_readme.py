"""The README's Python snippets run as written (each as a script, in a fresh process), and its
quick start is the command .ci/run calls."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest
from support import TESTS

README = TESTS.parent / "README.md"

pytestmark = pytest.mark.skipif(not README.exists(), reason="needs the source tree's README.md")


def snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _imports(code: str) -> set[str]:
    found = re.findall(r"^\s*(?:import|from)\s+([A-Za-z_][\w]*)", code, re.M)
    return set(found)


def _missing(code: str) -> list[str]:
    return sorted(m for m in _imports(code) if importlib.util.find_spec(m) is None)


def _first_words(code: str) -> str:
    return next(line for line in code.splitlines() if line.strip())[:40]


CODES = snippets() if README.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("code", CODES, ids=[_first_words(c) for c in CODES])
def test_snippet_runs_as_a_script(code, tmp_path):
    missing = _missing(code)
    if "keras" in _imports(code):
        missing += [] if importlib.util.find_spec("torch") else ["torch (Keras's backend)"]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    # without KERAS_BACKEND: a snippet that needs it sets it itself, as a reader's script would
    env = {name: value for name, value in os.environ.items() if name != "KERAS_BACKEND"}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


def test_readme_has_the_snippets_this_test_runs():
    names = " ".join(CODES)
    for needle in ("import winit_fast as wf", "winit_fast.keras", "winit_fast.torch",
                   "winit_fast.dask", "threadpool_limits"):  # fmt: skip
        assert needle in names


def quick_start() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Quick start") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    commands = quick_start()
    assert len(commands) == 2
    bench, tests = commands
    assert bench.endswith("winit-fast bench") and "pytest" in tests
    ci_script = TESTS.parent / ".ci" / "run"
    if not ci_script.exists():
        pytest.skip("needs .ci/run (a clone, not an sdist)")
    ci = ci_script.read_text(encoding="utf-8")
    assert tests in [line.strip() for line in ci.splitlines()]
    assert "--index-url" not in ci  # only PyPI is reachable where .ci/run runs


def test_docs_links_resolve_outside_the_repository():
    text = README.read_text(encoding="utf-8")
    relative = [link for link in re.findall(r"\]\(([^)]+)\)", text) if "://" not in link]
    assert relative == []
    for link in re.findall(r"\]\((https://github.com/winit-fast/winit-fast/[^)]+)\)", text):
        path = re.sub(r"^https://github.com/winit-fast/winit-fast/(blob|tree)/main/", "", link)
        path = path.split("#", 1)[0]  # an anchor names a heading inside the file
        assert (TESTS.parent / path).exists(), link


def test_project_urls_are_declared():
    tomllib = pytest.importorskip("tomllib", reason="needs Python >= 3.11 (tomllib)")
    project = tomllib.loads((TESTS.parent / "pyproject.toml").read_text())["project"]
    urls = project["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
    assert all(url.startswith("https://github.com/winit-fast/winit-fast") for url in urls.values())


def test_readme_lists_every_command_line_tool():
    from winit_fast.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    text = README.read_text(encoding="utf-8")
    listed = text[text.index("lists the command-line tools") :].split(")", 1)[0]
    assert set(commands.choices) == set(re.findall(r"`([a-z-]+)`", listed))
