# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled backend: thin calls into the C core (csrc/), with the GIL released.

The public API (winit_fast._distributions, winit_fast._constants) validates every argument
before it gets here; this layer re-checks only what protects memory (dtype, contiguity,
writeability), fills in slices between which it checks for Ctrl-C, and reports build facts.
winit_fast._fallback has the same functions in NumPy.
"""

import platform

import numpy as np

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
    void wf_fill_uniform_f32(float *out, size_t n, const wf_origin *origin, float low,
                             float span, float cap, int n_threads)
    void wf_fill_uniform_f64(double *out, size_t n, const wf_origin *origin, double low,
                             double span, double cap, int n_threads)
    void wf_fill_normal_f32(float *out, size_t n, const wf_origin *origin, float mean,
                            float std, int n_threads)
    void wf_fill_normal_f64(double *out, size_t n, const wf_origin *origin, double mean,
                            double std, int n_threads)
    void wf_fill_constant(void *out, size_t n, size_t elem_size, const void *value,
                          int n_threads)
    int wf_openmp_version()
    const char *wf_openmp_runtime()
    int wf_max_threads()


# Elements filled between two checks for Ctrl-C: a few milliseconds of work.
cdef size_t INTERRUPT_SLICE = 1 << 22

cdef enum Kind:
    RAW_U32
    UNIFORM
    NORMAL


cdef int _check_target(cnp.ndarray out, object allowed) except -1:
    if out.dtype not in allowed:
        raise TypeError(f"out has dtype {out.dtype}; expected one of {allowed}")
    if not (cnp.PyArray_IS_C_CONTIGUOUS(out) and cnp.PyArray_ISWRITEABLE(out)
            and cnp.PyArray_ISALIGNED(out)):
        raise ValueError("out must be C-contiguous, aligned and writeable")
    return 0


cdef int _fill(cnp.ndarray out, Kind kind, uint64_t seed, uint64_t stream, uint64_t block,
               uint32_t phase, double a, double b, double c, int n_threads) except -1:
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    cdef char *base = <char *>cnp.PyArray_DATA(out)
    cdef uint64_t per_block = 16 // itemsize
    cdef size_t done = 0, step
    cdef uint64_t position
    cdef wf_origin origin
    origin.seed = seed
    origin.stream = stream
    while done < n:
        step = min(INTERRUPT_SLICE, n - done)
        position = <uint64_t>phase + done
        origin.block = block + position // per_block
        origin.phase = <uint32_t>(position % per_block)
        with nogil:
            if kind == RAW_U32:
                wf_fill_raw_u32(<uint32_t *>(base + done * itemsize), step, &origin, n_threads)
            elif kind == UNIFORM and itemsize == 4:
                wf_fill_uniform_f32(<float *>(base + done * itemsize), step, &origin,
                                    <float>a, <float>b, <float>c, n_threads)
            elif kind == UNIFORM:
                wf_fill_uniform_f64(<double *>(base + done * itemsize), step, &origin,
                                    a, b, c, n_threads)
            elif kind == NORMAL and itemsize == 4:
                wf_fill_normal_f32(<float *>(base + done * itemsize), step, &origin,
                                   <float>a, <float>b, n_threads)
            else:
                wf_fill_normal_f64(<double *>(base + done * itemsize), step, &origin,
                                   a, b, n_threads)
        done += step
        PyErr_CheckSignals()
    return 0


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


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
    _check_target(out, (np.dtype(np.uint32),))
    _fill(out, RAW_U32, seed, stream, block, phase, 0.0, 0.0, 0.0, n_threads)


def fill_uniform(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                 uint32_t phase, double low, double span, double cap, int n_threads):
    _check_target(out, _FLOATS)
    _fill(out, UNIFORM, seed, stream, block, phase, low, span, cap, n_threads)


def fill_normal(cnp.ndarray out, uint64_t seed, uint64_t stream, uint64_t block,
                uint32_t phase, double mean, double std, int n_threads):
    _check_target(out, _FLOATS)
    _fill(out, NORMAL, seed, stream, block, phase, mean, std, 0.0, n_threads)


def fill_constant(cnp.ndarray out, value, int n_threads):
    """Every element of out set to value (converted to out.dtype)."""
    _check_target(out, _FLOATS)
    cdef cnp.ndarray cell = np.array(value, dtype=out.dtype)
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    with nogil:
        wf_fill_constant(cnp.PyArray_DATA(out), n, itemsize, cnp.PyArray_DATA(cell), n_threads)


def max_threads():
    """The OpenMP default team size for this thread (OMP_NUM_THREADS, threadpoolctl)."""
    return wf_max_threads()


def runtime_info():
    """Build and run-time facts of the compiled core."""
    cdef const char *runtime = wf_openmp_runtime()
    version = wf_openmp_version()
    return {
        "backend": "c",
        "simd": "baseline",
        "openmp": runtime.decode() if runtime != NULL else None,
        "openmp_version": version if version else None,
        "max_threads": wf_max_threads(),
        "machine": platform.machine(),
    }
