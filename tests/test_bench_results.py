"""The committed benchmark run follows bench/README.md's rule (its headline has a verdict for
every ratio), and the README's throughput table quotes only figures that run holds as
reliable, each equal to the run's own figure."""

from __future__ import annotations

import json
import re

import pytest
from support import TESTS

from winit_fast.bench.run import Measurement

ROOT = TESTS.parent
RESULTS = ROOT / "bench" / "results" / "bench-2core"
README = ROOT / "README.md"

pytestmark = pytest.mark.skipif(
    not (README.exists() and RESULTS.with_suffix(".json").exists()),
    reason="needs the source tree's README.md and bench/results/",
)

SIZE = 1 << 26
# The README table's columns: (library, threads) of each figure, then the two ratios.
FIGURES = (("winit_fast", 1), ("winit_fast", 2), ("anchor", 1), ("torch", 2))


def measurements() -> dict[tuple[str, str, int], Measurement]:
    data = json.loads(RESULTS.with_suffix(".json").read_text())
    assert data["load_per_core_before"] <= 0.5  # an idle machine before the run
    found = {}
    for m in data["measurements"]:
        if m["size"] == SIZE and m["dtype"] == "float32":
            m.pop("msamples_per_s")
            found[(m["library"].split()[0], m["method"], m["threads"])] = Measurement(**m)
    return found


def readme_rows() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Benchmark") : text.index("## Reference trainer")]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| method | winit_fast 1 thread |")
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def number(cell: str) -> float:
    return float(re.match(r"[\d,.]+", cell).group().replace(",", ""))


def test_readme_quotes_only_reliable_figures_of_the_committed_run():
    found = measurements()
    rows = readme_rows()
    assert len(rows) >= 5
    checked = 0
    for method_cell, *cells in rows:
        method = method_cell.split()[0]
        anchor = "ndarray.fill" if method == "zeros" else "numpy-pcg64"
        figures = {}
        for (library, threads), cell in zip(FIGURES, cells[:4], strict=True):
            library = anchor if library == "anchor" else library
            m = found.get((library, method, threads))
            figures[library, threads] = m
            if cell in ("-", "(unreliable)"):
                assert cell == "-" or m is None or m.doubts(), f"{method} {library}: reliable"
                continue
            assert m is not None and not m.doubts(), f"{method} {library} {threads}: {cell}"
            assert number(cell) == round(m.msamples_per_s), (method, library, cell)
            checked += 1
        ours = figures["winit_fast", 2]
        for other, cell in zip((figures[anchor, 1], figures["torch", 2]), cells[4:], strict=True):
            if cell in ("-", "(unreliable)"):
                continue
            assert not ours.doubts() and not other.doubts(), f"{method}: {cell} from doubt"
            ratio = ours.msamples_per_s / other.msamples_per_s
            assert cell == f"{ratio:.1f}x" or cell == f"{ratio:.0f}x", (method, cell, ratio)
            checked += 1
    assert checked >= 20


def test_committed_run_has_a_verdict_for_every_headline_ratio():
    text = RESULTS.with_suffix(".txt").read_text(encoding="utf-8")
    head = text[text.index("headline:") : text.index("M samples/s")]
    verdicts = [line for line in head.splitlines() if line.endswith("met")]
    assert len(verdicts) >= 7 and "unreliable" not in head
    rule = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    assert "headline" in rule and "unreliable" in rule
