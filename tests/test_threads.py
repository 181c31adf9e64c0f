"""Guarantee 2: the bytes do not depend on the thread count or on how work is split."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from support import CORE, FLOAT_DTYPES, same_bytes

import winit_fast as wf

SIZES = [0, 1, 3, 5, 4097, (1 << 15) + 3, 1_000_003]
THREADS = [1, 2, 3, 7]

FILLS = {
    "uniform": lambda n, dt, t: wf.uniform(n, -2.0, 3.0, seed=11, dtype=dt, n_threads=t),
    "normal": lambda n, dt, t: wf.normal(n, 1.0, 0.5, seed=12, dtype=dt, n_threads=t),
    "normal_offset": lambda n, dt, t: wf.normal(n, seed=13, dtype=dt, offset=7, n_threads=t),
    "truncated": lambda n, dt, t: wf.truncated_normal(
        n, 0, 2, a=-1, b=3, seed=14, dtype=dt, n_threads=t
    ),
    "constant": lambda n, dt, t: wf.constant(n, -1.25, dtype=dt, n_threads=t),
    "zeros": lambda n, dt, t: wf.zeros(n, dtype=dt, n_threads=t),
}


@pytest.mark.parametrize("name", sorted(FILLS))
@pytest.mark.parametrize("dtype", [*FLOAT_DTYPES, np.float16])
@pytest.mark.parametrize("size", SIZES)
def test_thread_count_invariance(name, dtype, size):
    results = [FILLS[name](size, dtype, t) for t in THREADS]
    for other in results[1:]:
        assert same_bytes(results[0], other)


def test_zeros_overwrites_garbage():
    out = np.full(1_000_003, np.nan, np.float32)
    wf.zeros(out=out, n_threads=2)
    assert not out.any() and not np.signbit(out).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("value", [0.0, -2.5])
@pytest.mark.parametrize("misalign", [0, 1, 3])
def test_large_constant_fills_with_streaming_stores(dtype, value, misalign):
    """Above 8 MiB per thread the fill streams past the cache; edges and odd alignment too."""
    base = np.full((1 << 23) + 7, np.nan, dtype)
    out = base[misalign : misalign + (1 << 23)]  # views starting off a 16-byte boundary
    for threads in (1, 2, 3):
        wf.constant(out=out, value=value, n_threads=threads)
        assert (out == dtype(value)).all()
        assert (np.signbit(out) == np.signbit(dtype(value))).all()  # +0.0 stays +0.0
        assert np.isnan(base[:misalign]).all() and np.isnan(base[misalign + out.size :]).all()
        out.fill(np.nan)


@pytest.mark.skipif(
    CORE is None or CORE.runtime_info()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)
@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_big_fill_runs_on_the_team_asked_for(name):
    """The invariance above would also hold for a core that never starts a second thread:
    the core reports the team each fill of this thread ran on."""
    with wf.use_backend("c"):
        for threads in (2, 3):
            FILLS[name](1_000_003, np.float32, threads)
            assert CORE.last_team_size() == threads
        FILLS[name](5, np.float32, 3)
        assert CORE.last_team_size() == 1  # a small fill stays on the calling thread


@pytest.mark.skipif(
    CORE is None or CORE.runtime_info()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)
def test_a_column_block_runs_on_the_team_asked_for():
    """index= blocks (csrc/wf_runs.c) report their team too: many short rows in parallel."""
    with wf.use_backend("c"):
        for threads in (2, 3):
            wf.normal((70_000, 100), seed=0, index=np.s_[:, 1:65], n_threads=threads)
            assert CORE.last_team_size() == threads
        wf.normal((70_000, 100), seed=0, index=np.s_[:2, 1:65], n_threads=3)
        assert CORE.last_team_size() == 1  # two short rows stay on the calling thread


def run_python(code, **env_changes):
    """``code`` in a fresh interpreter with ``env_changes`` (None removes a variable)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    return result


needs_openmp = pytest.mark.skipif(
    CORE is None or CORE.runtime_info()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)


@needs_openmp
def test_the_default_team_is_the_cpus_this_process_may_use():
    from winit_fast._cpu_count import process_cpu_count

    code = "from winit_fast import _core; print(_core.max_threads())"
    result = run_python(code, OMP_NUM_THREADS=None)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == process_cpu_count()


CAPPED = """
import os
os.sched_getaffinity = lambda pid: {0}  # one CPU for _cpu_count (read at import), not OpenMP
import numpy as np
import winit_fast as wf
from winit_fast import _core
out = np.empty(1 << 20, np.float32)
assert _core.short_fill(1, {"out": out, "seed": 0}, 0.0, 1.0) is out  # the out= short path
short = _core.last_team_size()
wf.uniform(out.shape, seed=0)  # the full path
full = _core.last_team_size()
_core.short_fill(1, {"out": out, "seed": 0, "n_threads": 2}, 0.0, 1.0)
explicit = _core.last_team_size()
print(_core.max_threads(), short, full, explicit)
"""


@needs_openmp
def test_the_short_path_keeps_the_default_team_cap():
    """The out= short path's n_threads=None is max_threads() too, with its CPU cap."""
    from winit_fast._cpu_count import process_cpu_count

    if process_cpu_count() < 2 or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux (sched_getaffinity) and 2 CPUs, so that a cap of 1 shows")
    result = run_python(CAPPED, OMP_NUM_THREADS=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "1", "2"]


@needs_openmp
def test_omp_num_threads_is_still_the_default_where_set():
    code = "from winit_fast import _core; print(_core.max_threads())"
    for value in ("1", "3"):
        result = run_python(code, OMP_NUM_THREADS=value)
        assert result.returncode == 0, result.stderr
        assert int(result.stdout) == int(value)


def test_the_cpu_count_follows_the_affinity_mask_and_the_cgroup_quota_as_loky_does():
    from winit_fast._cpu_count import process_cpu_count

    joblib = pytest.importorskip("joblib", reason="needs joblib (loky's cpu_count)")
    import os

    if os.environ.get("LOKY_MAX_CPU_COUNT"):
        pytest.skip("LOKY_MAX_CPU_COUNT changes loky's count")
    assert process_cpu_count() == joblib.cpu_count()


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 0.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
    ids=["v2 quota", "v2 no quota", "v1 quota", "v1 no quota", "no cgroup files"],
)
def test_cgroup_quota_files_are_read_as_loky_reads_them(tmp_path, files, quota):
    from winit_fast._cpu_count import cgroup_cpu_quota

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cgroup_cpu_quota(str(tmp_path)) == quota


LIMITED = """
import resource, sys
import numpy as np
import winit_fast as wf
from winit_fast import _core
reference = wf.uniform(1_000_003, seed=0, n_threads=1)
out = np.empty_like(reference)
size = [line for line in open("/proc/self/status") if line.startswith("VmSize")]
# room for about 32 more thread stacks of 8 MiB: far fewer than the team asked for
resource.setrlimit(resource.RLIMIT_AS, (int(size[0].split()[1]) * 1024 + (256 << 20), -1))
wf.uniform(out=out, seed=0, n_threads=N_THREADS, FORM)
team = _core.last_team_size()
resource.setrlimit(resource.RLIMIT_AS, (-1, -1))
print(team, out.tobytes() == reference.tobytes())
"""


@needs_openmp
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux (/proc, RLIMIT_AS)")
@pytest.mark.parametrize(
    ("n_threads", "env"),
    [("1024", {}), ("None", {"OMP_NUM_THREADS": "2000"})],
    ids=["n_threads=1024", "OMP_NUM_THREADS=2000"],
)
@pytest.mark.parametrize(
    "form", ["", 'dtype="float32"'], ids=["out= short path", "full path (dtype= given)"]
)
def test_a_team_the_os_cannot_start_is_capped_not_fatal(n_threads, env, form):
    """Under a memory limit the OS refuses threads; the OpenMP runtime would end the process
    ("Thread creation failed"). The team is capped at what starts, with the same bytes."""
    code = LIMITED.replace("N_THREADS", n_threads).replace("FORM", form)
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    team, same = result.stdout.split()
    assert 1 < int(team) < 1024 and same == "True", result.stdout
