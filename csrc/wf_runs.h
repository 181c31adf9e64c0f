/* Strided blocks in one call: the runs of an N-D rectangle of a tensor (an `index=` block, or
 * one rectangle of a shard made of several), each run a range of consecutive stream
 * positions written to consecutive output elements.
 *
 * Every run gets the bytes wf_fill (wf_core.h) gives its range (a long run through the same
 * driver, a short one through the same block kernels, see wf_runs.c), so a
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

/* Elements [first, first + n) of the block (numbered as above) of `spec`, written at out.
 * The caller makes sure the runs lie inside `out`, do not overlap, and that every stream
 * position exists (the Python layer checks all three).  Returns 0, or -1 without writing
 * anything when spec pairs a family with a dtype it has no kernel for (as wf_fill). */
int wf_fill_runs(void *out, const wf_runs *runs, const wf_spec *spec, size_t first, size_t n,
                 int n_threads);

#ifdef __cplusplus
}
#endif

#endif /* WF_RUNS_H */
