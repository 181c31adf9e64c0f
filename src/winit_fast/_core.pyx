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

from winit_fast._stream import Runs

cnp.import_array()


cdef extern from "wf_core.h" nogil:
    void wf_philox4x32_10_many(const uint32_t *counters, size_t n, uint32_t k0, uint32_t k1,
                               uint32_t *out)
    ctypedef enum wf_dtype:
        WF_FLOAT32
        WF_FLOAT64
        WF_FLOAT16
        WF_BFLOAT16
        WF_UINT32

    ctypedef enum wf_family:
        WF_FAMILY_RAW_U32
        WF_N_FAMILIES

    enum: WF_MAX_PARAMS

    ctypedef struct wf_spec:
        wf_family family
        wf_dtype dtype
        uint64_t seed, stream
        double params[WF_MAX_PARAMS]

    ctypedef struct wf_position:
        uint64_t block
        uint32_t phase

    int wf_fill(void *out, const wf_spec *spec, size_t n, uint64_t block, uint32_t phase,
                int n_threads)
    const char *wf_family_name(int code)
    int wf_family_params(int code)
    unsigned wf_block_shift(wf_dtype dtype)
    wf_position wf_position_at(uint64_t block, uint64_t offset, unsigned shift)
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
    enum: WF_RUNS_MAX_AXES

    ctypedef struct wf_runs:
        uint64_t block
        uint32_t phase
        size_t length
        int n_axes
        size_t count[WF_RUNS_MAX_AXES]
        uint64_t stream_step[WF_RUNS_MAX_AXES]
        size_t out_step[WF_RUNS_MAX_AXES]

    int wf_fill_runs(void *out, const wf_runs *runs, const wf_spec *spec, size_t first,
                     size_t n, int n_threads)

# Elements filled between two checks for Ctrl-C: a few milliseconds of work.
cdef size_t INTERRUPT_SLICE = 1 << 22
# Below this many elements a fill keeps the GIL: releasing and taking it back costs more
# than the fill (a few hundred ns), and a fill this short never blocks other threads long.
cdef size_t KEEP_GIL_BELOW = 1 << 10
cdef size_t CONSTANT_SLICE = 1 << 25  # constant fills run at memory speed

# The backend interface (docs/architecture.md, "adding a backend").
name = "c"
FAMILY_TABLE = tuple(
    (code, wf_family_name(code).decode(), wf_family_params(code)) for code in range(WF_N_FAMILIES)
)
"""``(code, name, number of parameters)`` of each family of csrc/wf_families.h."""
families = tuple(family for _, family, _ in FAMILY_TABLE)

# The default team is the OpenMP one (OMP_NUM_THREADS, threadpoolctl limits); the runtime's
# own default, when neither changed it, counts the affinity mask but not a cgroup's CPU
# quota, so it is capped at the CPUs this process may use (_cpu_count.py).
cdef int _RUNTIME_DEFAULT = WF_OMP_MAX_THREADS()
cdef int _DEFAULT_CAP = min(default_team_cap(), 1 << 30)


cdef int _default_team() noexcept:
    """The team of n_threads=None for this thread: max_threads(), and the short path's."""
    cdef int team = WF_OMP_MAX_THREADS()
    if team == _RUNTIME_DEFAULT:  # not set by threadpoolctl (nor OMP_NUM_THREADS: no cap)
        team = min(team, _DEFAULT_CAP)
    return wf_usable_threads(team)


cdef wf_dtype _element_type(cnp.ndarray out) except *:
    """The C type of out's elements, after the checks that protect memory (type numbers:
    fast)."""
    cdef int typenum = cnp.PyArray_TYPE(out)
    cdef wf_dtype dtype
    if typenum == cnp.NPY_FLOAT32:
        dtype = WF_FLOAT32
    elif typenum == cnp.NPY_FLOAT64:
        dtype = WF_FLOAT64
    elif typenum == cnp.NPY_FLOAT16:
        dtype = WF_FLOAT16
    elif typenum == cnp.NPY_UINT32:
        dtype = WF_UINT32
    elif out.dtype.name == "bfloat16" and out.dtype.itemsize == 2:  # ml_dtypes' user type
        dtype = WF_BFLOAT16
    else:
        raise TypeError(f"out has dtype {out.dtype}; expected float32, float64, float16, "
                        "bfloat16 or (raw words) uint32")
    if not cnp.PyArray_ISNOTSWAPPED(out):
        raise TypeError(f"out has non-native byte order {out.dtype}")
    if not (cnp.PyArray_IS_C_CONTIGUOUS(out) and cnp.PyArray_ISWRITEABLE(out)
            and cnp.PyArray_ISALIGNED(out)):
        raise ValueError("out must be C-contiguous, aligned and writeable")
    return dtype


cdef int _spec(wf_spec *spec, cnp.ndarray out, int family, uint64_t seed, uint64_t stream,
               tuple params) except -1:
    """The fill of `family` into out, after the checks that protect memory: a family this
    core has, out of a type it writes, as many parameters as the family takes."""
    if not 0 <= family < WF_N_FAMILIES:
        raise ValueError(f"family must be a code in [0, {WF_N_FAMILIES}), got {family}")
    spec.dtype = _element_type(out)
    if (family == WF_FAMILY_RAW_U32) != (spec.dtype == WF_UINT32):
        raise TypeError(f"out has dtype {out.dtype}, which family {families[family]!r} "
                        "does not write")
    if len(params) != wf_family_params(family):
        raise ValueError(f"family {families[family]!r} takes {wf_family_params(family)} "
                         f"parameters, got {len(params)}")
    spec.family, spec.seed, spec.stream = <wf_family>family, seed, stream
    for i in range(len(params)):
        spec.params[i] = params[i]
    return 0


cdef int _fill(cnp.ndarray out, const wf_spec *spec, uint64_t block, uint32_t phase,
               int n_threads) except -1:
    """out (checked by _spec) from stream position `phase` of block `block` on, in slices
    with a check for Ctrl-C between them."""
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    cdef char *base = <char *>cnp.PyArray_DATA(out)
    cdef unsigned shift = wf_block_shift(spec.dtype)
    cdef size_t done = 0, step
    cdef wf_position at
    cdef int failed = 0
    while done < n:
        step = min(INTERRUPT_SLICE, n - done)
        at = wf_position_at(block, <uint64_t>phase + done, shift)
        if step >= KEEP_GIL_BELOW:
            with nogil:
                failed = wf_fill(base + done * itemsize, spec, step, at.block, at.phase, n_threads)
        else:
            failed = wf_fill(base + done * itemsize, spec, step, at.block, at.phase, n_threads)
        if failed:  # _spec refuses every such spec first
            raise ValueError("the C core has no kernel for this family and dtype")
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


def fill(cnp.ndarray out, int family, uint64_t seed, uint64_t stream, uint64_t block,
         uint32_t phase, tuple params, int n_threads):
    """out (flat, C-contiguous) with `family` at `params` from stream position (block, phase)."""
    cdef wf_spec spec
    _spec(&spec, out, family, seed, stream, params)
    _fill(out, &spec, block, phase, n_threads)


def fill_runs(cnp.ndarray out, int family, uint64_t seed, uint64_t stream, runs, tuple params,
              int n_threads):
    """The runs of a strided block (a winit_fast._stream.Runs, checked when it was made) of
    `family` at `params`, written into out in slices with a Ctrl-C check between them, once
    it is checked that they lie inside out."""
    cdef wf_spec spec
    cdef wf_runs layout
    _spec(&spec, out, family, seed, stream, params)
    if type(runs) is not Runs:  # only a record made by Runs() has a checked layout
        raise TypeError(f"runs must be a winit_fast._stream.Runs, got {type(runs).__name__}")
    runs.check_inside(cnp.PyArray_SIZE(out))
    layout.block, layout.phase, layout.length = runs.block, runs.phase, runs.length
    layout.n_axes = len(runs.counts)
    for k in range(layout.n_axes):
        layout.count[k] = runs.counts[k]
        layout.stream_step[k] = runs.stream_steps[k]
        layout.out_step[k] = runs.out_steps[k]
    cdef size_t start = runs.out_start, n = runs.size, done = 0, chunk
    cdef char *base = <char *>cnp.PyArray_DATA(out) + start * cnp.PyArray_ITEMSIZE(out)
    cdef int failed = 0
    while done < n:
        chunk = min(INTERRUPT_SLICE, n - done)
        with nogil:
            failed = wf_fill_runs(base, &layout, &spec, done, chunk, n_threads)
        if failed:  # _spec refuses every such spec first
            raise ValueError("the C core has no kernel for this family and dtype")
        done += chunk
        PyErr_CheckSignals()


# ---- the per-call short path (winit_fast._families.short_path) ----------------------------
#
# A 16-element fill costs about as much in argument handling as in computing, so the common
# call (out= a plain array, int seed/stream/offset, int or float parameters seen before) is
# tested here in C, with the parameter sets the family records checked kept in a small table,
# and filled with no Python in between. Anything else declines (None): the full path in
# Python then checks everything and gives the messages. One function serves every family.

cdef extern from "Python.h":
    ctypedef struct PyObject
    int PyContextVar_Get(object var, PyObject *default_value, PyObject **value) except -1
    void Py_XDECREF(PyObject *o)
    bint PyFloat_CheckExact(object o)
    double PyFloat_AS_DOUBLE(object o)
    bint PyLong_CheckExact(object o)
    double PyLong_AsDouble(object o)
    unsigned long long PyLong_AsUnsignedLongLong(object o)
    PyObject *PyErr_Occurred()
    void PyErr_Clear()
    PyObject *PyDict_GetItem(object d, object key)

cdef extern from "string.h" nogil:
    void *memcpy(void *dest, const void *src, size_t n)

cdef object _selected = None  # the ContextVar holding the backend in use (winit_fast._backend)
cdef object _this = None  # this module: the ContextVar's value when the C core is in use
cdef dict _records = {}  # family code -> its record (winit_fast._families.BY_CODE)
cdef object _ndarray = np.ndarray

# Offsets below this need no range check: with at most 2**62 elements in any array (2**63
# bytes), offset + size stays far below the end of the stream (2 * 2**64 elements).
cdef unsigned long long SHORT_OFFSET = 1ULL << 62
cdef int MAX_THREADS = 1024  # winit_fast._validation.MAX_THREADS
cdef enum:
    SHORT_VALUES = 4  # the most parameters a public fill takes (truncated_normal's)
    SLOTS = 64  # parameter sets kept (a power of two: a slot is the top bits of a hash)


cdef struct Checked:
    int family  # -1: an empty slot
    wf_dtype dtype
    int n_values
    int ints  # bit i set: value i was an int, clear: a float
    unsigned long long bits[SHORT_VALUES]  # the values' bits: -0.0 is not 0.0 here
    double params[WF_MAX_PARAMS]


cdef Checked _slots[SLOTS]


cdef void _forget() noexcept:
    for slot in range(SLOTS):
        _slots[slot].family = -1


_forget()


def bind_short_path(selected, this, dict records):
    """Binds the short path to the backend choice (a ContextVar holding `this` module when
    the C core is in use) and to the family records (code -> record with .prepare)."""
    global _selected, _this, _records
    _selected, _this, _records = selected, this, records
    _forget()  # records that may check differently: nothing kept is valid any more


cdef inline bint _uint64(object value, unsigned long long below, unsigned long long *out):
    """An int in [0, below) (below 0: 2**64) into out; False for anything else."""
    if not PyLong_CheckExact(value):
        return False
    out[0] = PyLong_AsUnsignedLongLong(value)
    if out[0] == <unsigned long long>-1 and PyErr_Occurred() != NULL:  # negative or too big
        PyErr_Clear()
        return False
    return below == 0 or out[0] < below


cdef inline bint _number(object value, int i, Checked *key):
    """A float or an int (as the full path takes them) as bits of a double into key."""
    cdef double x
    if PyFloat_CheckExact(value):
        x = PyFloat_AS_DOUBLE(value)
    elif PyLong_CheckExact(value):
        x = PyLong_AsDouble(value)
        if x == -1.0 and PyErr_Occurred() != NULL:  # too big for a double
            PyErr_Clear()
            return False
        key.ints |= 1 << i
    else:
        return False
    memcpy(&key.bits[i], &x, sizeof(double))
    return True


cdef inline Checked *_lookup(Checked *key):
    """The slot of key's parameter set (its family, dtype, values and their kinds)."""
    cdef unsigned long long h = <unsigned long long>(key.family * 8 + key.dtype)
    for i in range(key.n_values):
        h = (h ^ key.bits[i]) * 0x100000001B3ULL
    h = (h ^ <unsigned long long>key.ints) * 0x9E3779B97F4A7C15ULL
    return &_slots[h >> 58]


cdef inline bint _same(const Checked *a, const Checked *b):
    if a.family != b.family or a.dtype != b.dtype or a.n_values != b.n_values or a.ints != b.ints:
        return False
    for i in range(a.n_values):
        if a.bits[i] != b.bits[i]:
            return False
    return True


def short_fill(int family, dict where, *values):
    """`where["out"]` filled with `family` at `values` and returned when this is the common
    call: the keyword tail `where` holding out= and seed= and at most stream=, offset= and
    n_threads= (no dtype= or index=); None otherwise (see above)."""
    cdef PyObject *in_use = NULL
    cdef PyObject *found
    cdef unsigned long long seed, stream = 0, offset = 0, threads
    cdef Checked key
    cdef Checked *slot
    cdef wf_spec spec
    cdef wf_position at
    cdef int typenum, given = 2
    PyContextVar_Get(_selected, NULL, &in_use)
    Py_XDECREF(in_use)  # compared as an address only: the module itself holds it
    found = PyDict_GetItem(where, "out")
    if (in_use != <PyObject *>_this or found == NULL or type(<object>found) is not _ndarray
            or not 0 <= family < WF_N_FAMILIES or len(values) > SHORT_VALUES):
        return None
    out = <object>found
    found = PyDict_GetItem(where, "seed")  # None or absent: fresh entropy, the full path's
    if found == NULL or not _uint64(<object>found, 0, &seed):
        return None
    found = PyDict_GetItem(where, "stream")
    if found != NULL:
        given += 1
        if not _uint64(<object>found, 0, &stream):
            return None
    found = PyDict_GetItem(where, "offset")
    if found != NULL:
        given += 1
        if not _uint64(<object>found, SHORT_OFFSET, &offset):
            return None
    found = PyDict_GetItem(where, "n_threads")
    if found == NULL or <object>found is None:
        threads = <unsigned long long>_default_team()
    elif not _uint64(<object>found, MAX_THREADS + 1, &threads) or threads == 0:
        return None
    given += found != NULL
    if given != len(where):  # dtype=, index= or a keyword the function does not take
        return None
    cdef cnp.ndarray array = <cnp.ndarray>out
    typenum = cnp.PyArray_TYPE(array)
    if typenum == cnp.NPY_FLOAT32:
        key.dtype = WF_FLOAT32
    elif typenum == cnp.NPY_FLOAT64:
        key.dtype = WF_FLOAT64
    elif typenum == cnp.NPY_FLOAT16:
        key.dtype = WF_FLOAT16
    else:
        return None  # bfloat16 and every other dtype: the full path
    if not (cnp.PyArray_ISNOTSWAPPED(array) and cnp.PyArray_IS_C_CONTIGUOUS(array)
            and cnp.PyArray_ISWRITEABLE(array) and cnp.PyArray_ISALIGNED(array)):
        return None
    key.family, key.ints, key.n_values = family, 0, len(values)
    for i in range(key.n_values):
        if not _number(values[i], i, &key):
            return None
    slot = _lookup(&key)
    if not _same(slot, &key):  # not seen: the record checks it (raising what the full path would)
        params = _records[family].prepare(values, array.dtype)
        if len(params) != wf_family_params(family):
            raise ValueError(f"the record of family {families[family]!r} gives {len(params)} "
                             f"parameters; the C core takes {wf_family_params(family)}")
        slot[0] = key
        for i in range(len(params)):
            slot.params[i] = params[i]
    spec.family, spec.dtype, spec.seed, spec.stream = <wf_family>family, key.dtype, seed, stream
    memcpy(spec.params, slot.params, sizeof(spec.params))
    at = wf_position_at(0, offset, wf_block_shift(key.dtype))
    _fill(array, &spec, at.block, at.phase, <int>threads)
    return out


def fill_constant(cnp.ndarray out, value, int n_threads):
    """Every element of out set to value (converted to out.dtype)."""
    _element_type(out)
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


def max_threads():
    """The default team size for this thread (``n_threads=None``)."""
    return _default_team()


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
