"""The C header and the fallback use the same polynomial coefficients."""

from __future__ import annotations

import re

from support import TESTS

from winit_fast._coefficients import COEFFICIENTS


def parse_header() -> dict[str, list[float]]:
    text = (TESTS.parent / "csrc" / "wf_coefficients.h").read_text()
    tables = {}
    for name, body in re.findall(r"(WF_\w+)\[\d+\] = \{([^}]*)\}", text):
        tables[name] = [float.fromhex(x.strip().rstrip("f")) for x in body.split(",")]
    return tables


def test_header_and_module_agree():
    header = parse_header()
    assert set(header) == set(COEFFICIENTS) and len(header) == 18
    for name, values in COEFFICIENTS.items():
        assert header[name] == [float.fromhex(v) for v in values], name


def test_log_series_is_two_over_odd_integers():
    f64 = [float.fromhex(v) for v in COEFFICIENTS["WF_LOG_F64"]]
    assert f64 == [2 / (2 * k + 1) for k in range(1, len(f64) + 1)]
