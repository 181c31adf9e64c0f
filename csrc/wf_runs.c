/* The runs of a strided block (wf_runs.h).
 *
 * The job (kernel, arguments) is made once, as wf_fill makes it, and a long run is filled by
 * the same driver (wf_run_job) over its range.  A short one (a row of a column block: tens of
 * elements) would pay that driver's setup once per run, and its few blocks would mostly miss
 * the SIMD kernels, which take whole steps of the level's vector width (8 or 16 blocks) and
 * leave the rest to the scalar kernel.  So a short run is computed as the whole
 * blocks it touches (rounded up to whole SIMD steps where that costs less than the scalar
 * remainder) by the block kernel into a scratch buffer, and its elements are copied out
 * (through the 16-bit rounding if any).  Every element is a pure function of
 * its stream position and the kernels write whole blocks, so both ways give the bytes of the
 * single-range fill; tests/test_strided.py checks it for every family, dtype, SIMD level and
 * thread count. */
#include <string.h>

#include "wf_runs.h"

#include "wf_kernels.h"
#include "wf_parallel.h"

/* Kernel output a short run may need, in blocks (16 bytes each for every kernel): 16 KiB. */
#define WF_SCRATCH_BLOCKS 1024

/* A block the scalar kernel computes costs about this many blocks of a SIMD step (measured
 * with bench/blocks.py on AVX-512: 64-element rows that start mid-block). */
#define WF_SCALAR_BLOCK_COST 6

typedef struct runs_job {
    const wf_runs *runs;
    const wf_job *job; /* the kernel and its arguments, as a contiguous fill has them */
    char *out;
    int is_short; /* every run fits in the scratch buffer (fill_short) */
} runs_job;

static runs_job make_runs_job(void *out, const wf_runs *runs, const wf_job *job)
{
    runs_job r;
    r.runs = runs;
    r.job = job;
    r.out = (char *)out;
    /* the most blocks a run can touch (whatever its first element), in whole SIMD steps */
    const uint64_t per = 1u << job->shift, step = job->step_blocks;
    const uint64_t touched = wf_blocks_touched(per - 1, (uint64_t)runs->length, job->shift);
    r.is_short = (touched + step - 1) / step * step <= WF_SCRATCH_BLOCKS;
    return r;
}

/* Stream positions [pos, pos + n) (from element 0 of the runs' first block) written at dst:
 * the whole blocks they touch, computed into scratch (or straight into dst when the range is
 * exactly whole SIMD steps), then copied out. */
static void fill_short(const runs_job *r, char *dst, uint64_t pos, size_t n)
{
    const wf_job *job = r->job;
    const wf_position at = wf_position_at(r->runs->block, pos, job->shift);
    const uint64_t step = job->step_blocks;
    uint64_t blocks = wf_blocks_touched(at.phase, n, job->shift);
    /* step is a power of two: a mask, not a division, on this path taken once per row */
    const uint64_t rest = blocks & (step - 1); /* blocks the SIMD kernel would leave over */
    if (job->narrow == NULL && at.phase == 0 && n == blocks << job->shift && rest == 0) {
        job->kernel(dst, at.block, (size_t)blocks, &job->args);
        return;
    }
    if (rest * WF_SCALAR_BLOCK_COST >= step - rest)
        blocks += step - rest; /* cheaper to compute whole SIMD steps and drop the extra */
    double scratch[2 * WF_SCRATCH_BLOCKS]; /* 16 bytes per block, for every kernel */
    job->kernel(scratch, at.block, (size_t)blocks, &job->args);
    if (job->narrow != NULL) /* 16-bit outputs come from the float32 kernels */
        job->narrow((const float *)scratch + at.phase, dst, n);
    else
        memcpy(dst, (const char *)scratch + at.phase * job->kernel_size, n * job->kernel_size);
}

/* Elements [lo, hi) of run r (runs numbered in C order of their indices). */
static void fill_part(const runs_job *r, size_t run, size_t lo, size_t hi, int n_threads)
{
    const wf_runs *runs = r->runs;
    uint64_t pos = runs->phase + lo;
    size_t dst = lo;
    for (int k = runs->n_axes - 1; k > 0; --k) {
        size_t i = run % runs->count[k];
        run /= runs->count[k];
        pos += (uint64_t)i * runs->stream_step[k];
        dst += i * runs->out_step[k];
    }
    if (runs->n_axes > 0) { /* what is left of run is the outermost index */
        pos += (uint64_t)run * runs->stream_step[0];
        dst += run * runs->out_step[0];
    }
    char *target = r->out + dst * r->job->out_size;
    if (r->is_short) {
        fill_short(r, target, pos, hi - lo);
    } else {
        wf_position at = wf_position_at(runs->block, pos, r->job->shift);
        wf_run_job(r->job, target, at.block, at.phase, hi - lo, n_threads);
    }
}

int wf_fill_runs(void *out, const wf_runs *runs, const wf_spec *spec, size_t first, size_t n,
                 int n_threads)
{
    wf_job job;
    if (wf_make_job(&job, spec) != 0)
        return -1;
    const size_t length = runs->length;
    if (n == 0 || length == 0)
        return 0;
    const runs_job r = make_runs_job(out, runs, &job);
    /* the window [first, first + n) starts inside run r0 and ends inside run r1 */
    const size_t r0 = first / length, r1 = (first + n - 1) / length;
    const size_t lo0 = first - r0 * length, hi1 = first + n - r1 * length;
    const int64_t n_runs = (int64_t)(r1 - r0 + 1);
    int threads = wf_usable_threads(n_threads);
    if (n < job.serial_below) /* the contiguous fill's threshold, for the whole window */
        threads = 1;
    if (threads > 1 && n_runs >= 2 * (int64_t)threads) {
        /* Many runs (a column block: short rows): each thread fills whole runs alone. */
        threads = wf_startable_team(threads);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t i = 0; i < n_runs; ++i) {
            size_t run = r0 + (size_t)i;
            fill_part(&r, run, run == r0 ? lo0 : 0, run == r1 ? hi1 : length, 1);
            WF_NOTE_TEAM(); /* after fill_part, whose contiguous fills note a team of 1 */
        }
        return 0;
    }
    /* A few runs: one after the other, a long one split over the team as usual (and noted
     * by its contiguous fill); short ones stay on this thread. */
    wf_note_team(1);
    for (size_t run = r0; run <= r1; ++run)
        fill_part(&r, run, run == r0 ? lo0 : 0, run == r1 ? hi1 : length, threads);
    return 0;
}
