"""``winit-fast bench``: throughput of winit_fast against the anchors, as ratios in one run."""

from winit_fast.bench.run import BenchConfig, run_bench

__all__ = ["BenchConfig", "run_bench"]
