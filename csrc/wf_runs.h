/* Strided blocks in one call: the runs of an N-D rectangle of a tensor (an `index=` block, or
 * one rectangle of a shard made of several), each run a range of consecutive stream
 * positions written to consecutive output elements.
 *
 * Every run gets the bytes the single-range fill of wf_core.h gives its range (a long run
 * through that function, a short one through the same block kernels, see wf_runs.c), so a
 * block has, by construction, the bytes the whole tensor has there.  What this adds is the
 * loop over runs in C (parallel over runs when they are short and many) instead of one call
 * per row from Python. */
#ifndef WF_RUNS_H
#define WF_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "wf_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which single-range fill of wf_core.h, with its parameters. */
typedef enum wf_family {
    WF_FAMILY_RAW_U32 = 0,
    WF_FAMILY_UNIFORM = 1,
    WF_FAMILY_NORMAL = 2,
    WF_FAMILY_TRUNCATED_NORMAL = 3
} wf_family;

typedef struct wf_uniform_params {
    double low, span, cap;
} wf_uniform_params;

typedef struct wf_normal_params {
    double mean, std;
} wf_normal_params;

typedef union wf_family_params {
    wf_uniform_params uniform;
    wf_normal_params normal;
    wf_truncation truncated_normal;
} wf_family_params;

typedef struct wf_fill_spec {
    wf_family family;
    wf_dtype dtype; /* ignored by WF_FAMILY_RAW_U32 (uint32 words) */
    uint64_t seed, stream;
    wf_family_params p; /* the member of `family`; none for raw words */
} wf_fill_spec;

/* As many axes as a NumPy array can have. */
#define WF_RUNS_MAX_AXES 64

/* Runs laid out on `n_axes` axes, outermost first; run (i_0, ..., i_{n-1}) covers the stream
 * positions  start + sum_k i_k * stream_step[k] + [0, length)  and the output elements
 * sum_k i_k * out_step[k] + [0, length).  `start` is element `phase` of block `block`.
 * The block's elements are numbered run by run, runs in C order of their indices. */
typedef struct wf_runs {
    uint64_t block;
    uint32_t phase;
    size_t length;
    int n_axes; /* 0: one run */
    size_t count[WF_RUNS_MAX_AXES];
    uint64_t stream_step[WF_RUNS_MAX_AXES];
    size_t out_step[WF_RUNS_MAX_AXES];
} wf_runs;

/* Elements [first, first + n) of the block (numbered as above) written at out.  The caller
 * makes sure the runs lie inside `out`, do not overlap, and that every stream position
 * exists (the Python layer checks all three). */
void wf_fill_runs(void *out, const wf_runs *runs, const wf_fill_spec *spec, size_t first, size_t n,
                  int n_threads);

#ifdef __cplusplus
}
#endif

#endif /* WF_RUNS_H */
