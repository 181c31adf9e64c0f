"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest
from support import CORE

from winit_fast import _fallback


@pytest.fixture(params=["c", "python"])
def backend(request):
    """Each backend module in turn (the compiled one is skipped if it is not built)."""
    if request.param == "c":
        if CORE is None:
            pytest.skip("needs the compiled extension winit_fast._core")
        return CORE
    return _fallback
