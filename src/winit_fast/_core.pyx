# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled backend: thin calls into the C core (csrc/), with the GIL released.

The public API (winit_fast._distributions, winit_fast._constants) validates every argument
before it gets here; this layer re-checks only what protects memory (dtype, contiguity,
writeability), fills in slices between which it checks for Ctrl-C, and reports build facts.
winit_fast._fallback has the same functions in NumPy.
"""

import platform

import numpy as np

from winit_fast._cpu_count import default_team_cap

cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport uint32_t, uint64_t

cnp.import_array()


cdef extern from "wf_core.h" nogil:
    ctypedef struct wf_origin:
        uint64_t seed
        uint64_t stream
        uint64_t block
        uint32_t phase

    void wf_philox4x32_10_many(const uint32_t *counters, size_t n, uint32_t k0, uint32_t k1,
                               uint32_t *out)
    void wf_fill_raw_u32(uint32_t *out, size_t n, const wf_origin *origin, int n_threads)
    ctypedef enum wf_dtype:
        WF_FLOAT32
        WF_FLOAT64
        WF_FLOAT16
        WF_BFLOAT16

    ctypedef struct wf_truncation:
        double mean, std, lo, hi, p_lo, q_hi, mass

    void wf_fill_uniform(void *out, wf_dtype dtype, size_t n, const wf_origin *origin,
                         double low, double span, double cap, int n_threads)
    void wf_fill_normal(void *out, wf_dtype dtype, size_t n, const wf_origin *origin,
                        double mean, double std, int n_threads)
    void wf_fill_truncated_normal(void *out, wf_dtype dtype, size_t n,
                                  const wf_origin *origin, const wf_truncation *params,
                                  int n_threads)
    void wf_fill_constant(void *out, size_t n, size_t elem_size, const void *value,
                          int n_threads)
    int wf_simd_available()
    int wf_simd_has(int level)
    int wf_simd_select(int level)
    int wf_simd_level()
    const char *wf_simd_name(int level)
    int wf_openmp_version()
    const char *wf_openmp_runtime()
    int wf_last_team_size()


cdef extern from "wf_parallel.h" nogil:
    int WF_OMP_MAX_THREADS()
    int wf_usable_threads(int requested)


cdef extern from "wf_runs.h" nogil:
    ctypedef enum wf_family:
        WF_FAMILY_RAW_U32
        WF_FAMILY_UNIFORM
        WF_FAMILY_NORMAL
        WF_FAMILY_TRUNCATED_NORMAL

    ctypedef struct wf_uniform_params:
        double low, span, cap

    ctypedef struct wf_normal_params:
        double mean, std

    ctypedef union wf_family_params:
        wf_uniform_params uniform
        wf_normal_params normal
        wf_truncation truncated_normal

    ctypedef struct wf_fill_spec:
        wf_family family
        wf_dtype dtype
        uint64_t seed, stream
        wf_family_params p

    enum: WF_RUNS_MAX_AXES

    ctypedef struct wf_runs:
        uint64_t block
        uint32_t phase
        size_t length
        int n_axes
        size_t count[WF_RUNS_MAX_AXES]
        uint64_t stream_step[WF_RUNS_MAX_AXES]
        size_t out_step[WF_RUNS_MAX_AXES]

    void wf_fill_runs(void *out, const wf_runs *runs, const wf_fill_spec *spec, size_t first,
                      size_t n, int n_threads)

# Elements filled between two checks for Ctrl-C: a few milliseconds of work.
cdef size_t INTERRUPT_SLICE = 1 << 22
# Below this many elements a fill keeps the GIL: releasing and taking it back costs more
# than the fill (a few hundred ns), and a fill this short never blocks other threads long.
cdef size_t KEEP_GIL_BELOW = 1 << 10
cdef size_t CONSTANT_SLICE = 1 << 25  # constant fills run at memory speed

cdef enum Kind:
    RAW_U32
    UNIFORM
    NORMAL
    TRUNCATED_NORMAL

cdef wf_dtype _float_target(cnp.ndarray out) except *:
    """The C dtype of out, after the checks that protect memory (type numbers: fast)."""
    cdef int typenum = cnp.PyArray_TYPE(out)
    cdef wf_dtype dtype
    if typenum == cnp.NPY_FLOAT32:
        dtype = WF_FLOAT32
    elif typenum == cnp.NPY_FLOAT64:
        dtype = WF_FLOAT64
    elif typenum == cnp.NPY_FLOAT16:
        dtype = WF_FLOAT16
    elif out.dtype.name == "bfloat16" and out.dtype.itemsize == 2:  # ml_dtypes' user type
        dtype = WF_BFLOAT16
    else:
        raise TypeError(f"out has dtype {out.dtype}; expected float32, float64, float16 "
                        "or bfloat16")
    if not cnp.PyArray_ISNOTSWAPPED(out):
        raise TypeError(f"out has non-native byte order {out.dtype}")
    _check_layout(out)
    return dtype


cdef int _check_layout(cnp.ndarray out) except -1:
    if not (cnp.PyArray_IS_C_CONTIGUOUS(out) and cnp.PyArray_ISWRITEABLE(out)
            and cnp.PyArray_ISALIGNED(out)):
        raise ValueError("out must be C-contiguous, aligned and writeable")
    return 0


cdef void _call(Kind kind, void *target, wf_dtype dtype, size_t step, const wf_origin *origin,
                const double *params, const wf_truncation *truncation,
                int n_threads) noexcept nogil:
    """One C fill of ``step`` elements (with or without the GIL held)."""
    if kind == RAW_U32:
        wf_fill_raw_u32(<uint32_t *>target, step, origin, n_threads)
    elif kind == UNIFORM:
        wf_fill_uniform(target, dtype, step, origin, params[0], params[1], params[2], n_threads)
    elif kind == NORMAL:
        wf_fill_normal(target, dtype, step, origin, params[0], params[1], n_threads)
    else:
        wf_fill_truncated_normal(target, dtype, step, origin, truncation, n_threads)


cdef int _fill(cnp.ndarray out, Kind kind, wf_dtype dtype, uint64_t seed, uint64_t stream,
               uint64_t block, uint32_t phase, const double *params, int n_threads) except -1:
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    cdef char *base = <char *>cnp.PyArray_DATA(out)
    cdef uint64_t per_block = 2 if dtype == WF_FLOAT64 else 4
    cdef size_t done = 0, step
    cdef uint64_t position
    cdef wf_origin origin
    cdef wf_truncation truncation
    cdef void *target
    origin.seed = seed
    origin.stream = stream
    if kind == TRUNCATED_NORMAL:
        truncation.mean, truncation.std = params[0], params[1]
        truncation.lo, truncation.hi = params[2], params[3]
        truncation.p_lo, truncation.q_hi, truncation.mass = params[4], params[5], params[6]
    while done < n:
        step = min(INTERRUPT_SLICE, n - done)
        position = <uint64_t>phase + done
        origin.block = block + position // per_block
        origin.phase = <uint32_t>(position % per_block)
        target = <void *>(base + done * itemsize)
        if step >= KEEP_GIL_BELOW:
            with nogil:
                _call(kind, target, dtype, step, &origin, params, &truncation, n_threads)
        else:
            _call(kind, target, dtype, step, &origin, params, &truncation, n_threads)
        done += step
        PyErr_CheckSignals()
    return 0


def philox4x32(cnp.ndarray counters, uint32_t k0, uint32_t k1):
    """The block function over a C-contiguous uint32 array of shape (n, 4)."""
    if counters.dtype != np.uint32 or counters.ndim != 2 or counters.shape[1] != 4:
        raise TypeError("counters must be a uint32 array of shape (n, 4)")
    counters = np.ascontiguousarray(counters)
    cdef cnp.ndarray out = np.empty_like(counters)
    cdef size_t n = <size_t>counters.shape[0]
    with nogil:
        wf_philox4x32_10_many(<const uint32_t *>cnp.PyArray_DATA(counters), n, k0, k1,
                              <uint32_t *>cnp.PyArray_DATA(out))
    return out


def fill_raw_u32(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                 uint32_t phase, int n_threads):
    if out.dtype != np.uint32:
        raise TypeError(f"out has dtype {out.dtype}; expected uint32")
    _check_layout(out)
    _fill(out, RAW_U32, WF_FLOAT32, seed, stream, block, phase, NULL, n_threads)


def fill_uniform(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                 uint32_t phase, double low, double span, double cap, int n_threads):
    cdef double params[3]
    params[:] = [low, span, cap]
    _fill(out, UNIFORM, _float_target(out), seed, stream, block, phase, params, n_threads)


def fill_normal(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                uint32_t phase, double mean, double std, int n_threads):
    cdef double params[2]
    params[:] = [mean, std]
    _fill(out, NORMAL, _float_target(out), seed, stream, block, phase, params, n_threads)


def fill_truncated_normal(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                          uint32_t phase, tuple params, int n_threads):
    """params: (mean, std, lo, hi, p_lo, q_hi, mass), see wf_core.h."""
    cdef double values[7]
    if len(params) != 7:
        raise ValueError("params must hold 7 numbers")
    for i in range(7):
        values[i] = params[i]
    _fill(out, TRUNCATED_NORMAL, _float_target(out), seed, stream, block, phase, values,
          n_threads)


cdef int _fill_runs(cnp.ndarray out, const wf_fill_spec *spec, tuple runs,
                    int n_threads) except -1:
    """The runs of a strided block (csrc/wf_runs.h) written into out, in slices with a Ctrl-C
    check between them, once it is checked that they lie inside out and do not overlap.

    runs: (block, phase, length, counts, stream_steps, out_start, out_steps); the block's
    first element is element `phase` of Philox block `block`, run (i_0, ..., i_k) starts
    sum(i * stream_steps) stream elements after it and at element
    out_start + sum(i * out_steps) of out.
    """
    cdef wf_runs layout
    block, phase, length, counts, stream_steps, out_start, out_steps = runs
    n_axes = len(counts)
    if n_axes > WF_RUNS_MAX_AXES or len(stream_steps) != n_axes or len(out_steps) != n_axes:
        raise ValueError("runs: counts, stream_steps and out_steps must be equally long "
                         f"(at most {WF_RUNS_MAX_AXES})")
    layout.block, layout.phase, layout.length, layout.n_axes = block, phase, length, n_axes
    # Python ints: the checks themselves cannot overflow
    total = extent = length
    for k in reversed(range(n_axes)):
        count, step = counts[k], out_steps[k]
        layout.count[k], layout.stream_step[k], layout.out_step[k] = count, stream_steps[k], step
        total *= count
        if count > 1:
            if step < extent:
                raise ValueError(f"runs overlap in out (axis {k}: step {step} < {extent})")
            extent += (count - 1) * step
    if total == 0:
        return 0
    if out_start < 0 or out_start + extent > cnp.PyArray_SIZE(out):
        raise ValueError(f"runs reach element {out_start + extent} of out, which holds "
                         f"{cnp.PyArray_SIZE(out)}")
    cdef char *base = <char *>cnp.PyArray_DATA(out) + <size_t>out_start * cnp.PyArray_ITEMSIZE(out)
    cdef size_t n = total, done = 0, chunk
    while done < n:
        chunk = min(INTERRUPT_SLICE, n - done)
        with nogil:
            wf_fill_runs(base, &layout, spec, done, chunk, n_threads)
        done += chunk
        PyErr_CheckSignals()
    return 0


cdef wf_fill_spec _spec(wf_family family, wf_dtype dtype, uint64_t seed, uint64_t stream):
    cdef wf_fill_spec spec
    spec.family, spec.dtype, spec.seed, spec.stream = family, dtype, seed, stream
    return spec


def fill_raw_u32_runs(cnp.ndarray out, uint64_t seed, uint64_t stream, tuple runs,
                      int n_threads):
    """fill_raw_u32 over the runs of a strided block (see _fill_runs)."""
    if out.dtype != np.uint32:
        raise TypeError(f"out has dtype {out.dtype}; expected uint32")
    _check_layout(out)
    cdef wf_fill_spec spec = _spec(WF_FAMILY_RAW_U32, WF_FLOAT32, seed, stream)
    _fill_runs(out, &spec, runs, n_threads)


def fill_uniform_runs(cnp.ndarray out, uint64_t seed, uint64_t stream, tuple runs,
                      double low, double span, double cap, int n_threads):
    """fill_uniform over the runs of a strided block (see _fill_runs)."""
    cdef wf_fill_spec spec = _spec(WF_FAMILY_UNIFORM, _float_target(out), seed, stream)
    spec.p.uniform.low, spec.p.uniform.span, spec.p.uniform.cap = low, span, cap
    _fill_runs(out, &spec, runs, n_threads)


def fill_normal_runs(cnp.ndarray out, uint64_t seed, uint64_t stream, tuple runs,
                     double mean, double std, int n_threads):
    """fill_normal over the runs of a strided block (see _fill_runs)."""
    cdef wf_fill_spec spec = _spec(WF_FAMILY_NORMAL, _float_target(out), seed, stream)
    spec.p.normal.mean, spec.p.normal.std = mean, std
    _fill_runs(out, &spec, runs, n_threads)


def fill_truncated_normal_runs(cnp.ndarray out, uint64_t seed, uint64_t stream, tuple runs,
                               tuple params, int n_threads):
    """fill_truncated_normal over the runs of a strided block (see _fill_runs)."""
    cdef wf_fill_spec spec = _spec(WF_FAMILY_TRUNCATED_NORMAL, _float_target(out), seed, stream)
    if len(params) != 7:
        raise ValueError("params must hold 7 numbers")
    cdef wf_truncation *t = &spec.p.truncated_normal
    t.mean, t.std, t.lo, t.hi, t.p_lo, t.q_hi, t.mass = params
    _fill_runs(out, &spec, runs, n_threads)


def fill_constant(cnp.ndarray out, value, int n_threads):
    """Every element of out set to value (converted to out.dtype)."""
    _float_target(out)
    cdef cnp.ndarray cell = np.array(value, dtype=out.dtype)
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    cdef char *base = <char *>cnp.PyArray_DATA(out)
    cdef size_t done = 0, step
    while done < n:  # slices, with a Ctrl-C check between them, as in _fill
        step = min(CONSTANT_SLICE, n - done)
        with nogil:
            wf_fill_constant(base + done * itemsize, step, itemsize, cnp.PyArray_DATA(cell),
                             n_threads)
        done += step
        PyErr_CheckSignals()


# In wf_core.h's order: the x86-64 levels, lowest first, then AArch64's.
SIMD_LEVELS = ("scalar", "sse2", "avx2", "avx512", "neon")


def simd_available():
    """The best SIMD level of this CPU and OS, by name."""
    return wf_simd_name(wf_simd_available()).decode()


def simd_levels():
    """Every level this CPU and OS run, lowest first (x86-64: scalar up to the best of sse2,
    avx2, avx512; AArch64: scalar, neon)."""
    return tuple(name for i, name in enumerate(SIMD_LEVELS) if wf_simd_has(i))


def set_simd(name):
    """Use the kernels of level ``name`` (the best one if the CPU lacks it); returns the level
    used.

    Every level returns the same bytes; this exists for WINIT_FAST_SIMD and for the tests.
    """
    if name not in SIMD_LEVELS:
        raise ValueError(f"simd level must be one of {SIMD_LEVELS}, got {name!r}")
    return wf_simd_name(wf_simd_select(SIMD_LEVELS.index(name))).decode()


# The default team is the OpenMP one (OMP_NUM_THREADS, threadpoolctl limits); the runtime's
# own default, when neither changed it, counts the affinity mask but not a cgroup's CPU
# quota, so it is capped at the CPUs this process may use (_cpu_count.py).
cdef int _RUNTIME_DEFAULT = WF_OMP_MAX_THREADS()
cdef int _DEFAULT_CAP = min(default_team_cap(), 1 << 30)


def max_threads():
    """The default team size for this thread (``n_threads=None``)."""
    cdef int team = WF_OMP_MAX_THREADS()
    if team == _RUNTIME_DEFAULT:  # not set by threadpoolctl (nor OMP_NUM_THREADS: no cap)
        team = min(team, _DEFAULT_CAP)
    return wf_usable_threads(team)


def last_team_size():
    """Threads that this thread's last fill ran on (1: the serial path; 0: no fill yet)."""
    return wf_last_team_size()


def runtime_info():
    """Build and run-time facts of the compiled core."""
    cdef const char *runtime = wf_openmp_runtime()
    version = wf_openmp_version()
    return {
        "backend": "c",
        "simd": wf_simd_name(wf_simd_level()).decode(),
        "simd_available": wf_simd_name(wf_simd_available()).decode(),
        "openmp": runtime.decode() if runtime != NULL else None,
        "openmp_version": version if version else None,
        "max_threads": max_threads(),
        "machine": platform.machine(),
    }
