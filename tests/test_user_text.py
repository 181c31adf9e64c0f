"""User-facing text speaks to users: no issue numbers and no "the issue" in the docs, the
README, bench/README.md or the package's own text (docstrings, help, errors). A link to the
project's GitHub issues is fine."""

from __future__ import annotations

import re

import pytest
from support import TESTS

ROOT = TESTS.parent
# "issue 13", "issue-13", "issues 13 and 14", "the issue", "the issue's": tracker talk.
TRACKER_TALK = re.compile(r"\bissues?[ -]#?\d+|\bthe issue\b", re.IGNORECASE)


def user_facing_files():
    files = [ROOT / "README.md", ROOT / "bench" / "README.md", ROOT / "CONTRIBUTING.md"]
    files += sorted((ROOT / "docs").glob("*.md"))
    files += sorted((ROOT / "src" / "winit_fast").rglob("*.py"))
    files += sorted((ROOT / "src" / "winit_fast").rglob("*.pyx"))
    return [f for f in files if f.exists()]


FILES = user_facing_files()


def test_there_is_text_to_check():
    if not (ROOT / "docs").exists():
        pytest.skip("needs the source tree's docs/")
    assert len(FILES) > 30


def test_no_issue_numbers_in_user_facing_text():
    found = []
    for path in FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TRACKER_TALK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_pattern_catches_tracker_talk():
    for text in ("see issue 13", "the issue-13 targets", "where the issue left a choice",
                 "Issue 9: LSUV", "issues #4"):  # fmt: skip
        assert TRACKER_TALK.search(text), text
    for text in ("report issues at https://github.com/winit-fast/winit-fast/issues",
                 "an issue with the backend", "issued"):  # fmt: skip
        assert not TRACKER_TALK.search(text), text
