"""Guarantee 5: the output bytes of a fixed table of calls are pinned.

A failure here means the stream changed: that is a breaking change (a new major version and
a new STREAM_VERSION, with a note in docs/CHANGELOG.md), never something to re-pin silently.
The table and its SHA-256 digests live in tests/golden_values.json; tools/pin_golden.py wrote
them once, from the C core.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from support import TESTS

import winit_fast as wf
from winit_fast._validation import as_dtype

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

GOLDEN = json.loads((TESTS / "golden_values.json").read_text())


def call(entry):
    function = getattr(wf, entry["function"])
    args = entry.get("args", [])
    kwargs = dict(entry.get("kwargs", {}))
    if "dtype" in kwargs:
        kwargs["dtype"] = as_dtype(kwargs["dtype"])
    return function(*args, **kwargs)


def test_stream_version_matches_table():
    assert GOLDEN["stream_version"] == wf.STREAM_VERSION == 2
    assert wf.show_config()["stream_version"] == wf.STREAM_VERSION


@pytest.mark.parametrize("entry", GOLDEN["calls"], ids=lambda e: e["id"])
def test_golden_digest(entry):
    result = call(entry)
    assert hashlib.sha256(np.ascontiguousarray(result).tobytes()).hexdigest() == entry["sha256"]
    if "head" in entry:  # the first values, readable, so a diff says what moved
        head = result.reshape(-1)[: len(entry["head"])]
        assert (
            head.astype(np.float64 if head.dtype.kind in "fV" else head.dtype).tolist()
            == entry["head"]
        )
