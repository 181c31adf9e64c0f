"""The CPUs this process may use, for the default team (``n_threads=None``).

The OpenMP runtimes already start no more threads than the process's affinity mask holds, but
a container's CPU quota (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``) is invisible to
them: a container limited to 2 CPUs on a 64-core host would run 64 threads in turns. This
counts as loky (scikit-learn, joblib) does: the affinity mask, then the quota rounded up.
``OMP_NUM_THREADS`` or a threadpoolctl limit, where set, wins (the user asked for that team).
"""

from __future__ import annotations

import math
import os

__all__ = ["cgroup_cpu_quota", "default_team_cap", "process_cpu_count"]


def process_cpu_count() -> int:
    """CPUs this process may run on: the affinity mask, at most the cgroup quota."""
    count = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        count = min(count, len(os.sched_getaffinity(0)))
    quota = cgroup_cpu_quota()
    if quota is not None:
        count = min(count, max(1, math.ceil(quota)))
    return count


def cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """CPUs' worth of time per period this cgroup may use (None: no quota), as loky reads it:
    ``cpu.max`` (cgroup v2), else ``cpu/cpu.cfs_quota_us`` over ``cpu.cfs_period_us`` (v1)."""
    try:
        with open(os.path.join(root, "cpu.max")) as handle:
            quota, period = handle.read().split()[:2]
    except (OSError, ValueError):
        try:
            with open(os.path.join(root, "cpu", "cpu.cfs_quota_us")) as handle:
                quota = handle.read().strip()
            with open(os.path.join(root, "cpu", "cpu.cfs_period_us")) as handle:
                period = handle.read().strip()
        except OSError:
            return None
    if quota in ("max", "-1"):
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def default_team_cap() -> int:
    """The most threads ``n_threads=None`` uses: the process's CPUs, or no cap (a large
    number) when ``OMP_NUM_THREADS`` is set."""
    if os.environ.get("OMP_NUM_THREADS", "").strip():
        return 1 << 30
    return process_cpu_count()
