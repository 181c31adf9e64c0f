"""The docs' Python code blocks are formatted as the code is (``ruff format``) and parse, and
those of the pages in RUNNABLE run as scripts, as a reader would paste them."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys

import pytest
from support import TESTS

ROOT = TESTS.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks(pages=PAGES):
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2  # the block's first line
            yield pytest.param(match.group(1), id=f"{page.relative_to(ROOT)}:{line}")


BLOCKS = list(blocks())
# The README's blocks run in tests/test_readme.py. fast_init.md's builds a 0.5 B-parameter model
# (2 GiB), the README's smaller twin of it runs there.
RUNNABLE = [
    ROOT / "docs" / name
    for name in ("sharded.md", "depth_aware.md", "reference_trainer.md", "gpu.md")
]


def test_there_are_blocks_to_check():
    assert len(BLOCKS) >= 3  # the regex found the README's quick start at least


@pytest.mark.parametrize("code", BLOCKS)
def test_block_parses(code):
    ast.parse(code)


@pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="needs ruff (pip install ruff)"
)
@pytest.mark.parametrize("code", BLOCKS)
def test_block_is_ruff_formatted(code):
    # --stdin-filename inside the tree: the project's ruff settings (line length) apply
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--diff",
            "--stdin-filename",
            "docs/block.py",
            "-",
        ],
        input=code,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("code", list(blocks(RUNNABLE)))
def test_block_runs_as_a_script(code, tmp_path):
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
