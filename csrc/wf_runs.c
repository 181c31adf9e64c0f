/* The runs of a strided block (wf_runs.h).
 *
 * A long run is filled by the single-range function of wf_core.h for its range.  A short one
 * (a row of a column block: tens of elements) would pay that function's setup once per run,
 * and its few blocks would mostly miss the SIMD kernels, which take whole steps of 8 or 16
 * blocks and leave the rest to the scalar kernel.  So a short run is computed as the whole
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
    const wf_fill_spec *spec;
    char *out;
    size_t out_size;    /* bytes of one output element */
    unsigned per_shift; /* elements per Philox block: 1 << per_shift (2 or 4) */
    int is_short;       /* every run fits in the scratch buffer (fill_short) */
    /* for short runs: the kernels of the level in use, as wf_fill.c's make_job sets them up */
    wf_block_kernel kernel;
    wf_narrow_fn narrow;  /* float32 -> 16-bit rounding, or NULL */
    size_t kernel_size;   /* bytes of one element as the kernel writes it (4 or 8) */
    uint64_t simd_blocks; /* blocks per SIMD step of the level in use: a power of two */
    wf_kernel_args args;
} runs_job;

/* The SIMD kernels take whole steps of this many blocks and hand the rest of a call to the
 * scalar kernel (simd/wf_simd_kernels.inc).  Only speed depends on it. */
static uint64_t simd_step_blocks(void)
{
    switch (wf_simd_level()) {
    case WF_SIMD_AVX512:
        return 16;
    case WF_SIMD_AVX2:
    case WF_SIMD_NEON:
        return 8;
    default:
        return 1;
    }
}

/* The block kernel and its arguments for `s`: the same choices as wf_fill.c's make_job and
 * float_job, and its parameters from wf_fill.c's wf_uniform_args, ... (wf_kernels.h). */
static void set_kernel(runs_job *job, const wf_fill_spec *s)
{
    const wf_kernel_table *k = wf_active_kernels();
    const int wide = s->family != WF_FAMILY_RAW_U32 && s->dtype == WF_FLOAT64;
    wf_kernel_args *a = &job->args;
    memset(a, 0, sizeof *a);
    a->key[0] = (uint32_t)s->seed;
    a->key[1] = (uint32_t)(s->seed >> 32);
    a->stream[0] = (uint32_t)s->stream;
    a->stream[1] = (uint32_t)(s->stream >> 32);
    job->kernel_size = wide ? sizeof(double) : sizeof(float);
    job->narrow = s->family == WF_FAMILY_RAW_U32 ? NULL
                  : s->dtype == WF_FLOAT16       ? k->narrow_f16
                  : s->dtype == WF_BFLOAT16      ? k->narrow_bf16
                                                 : NULL;
    switch (s->family) {
    case WF_FAMILY_RAW_U32:
        job->kernel = k->raw_u32;
        break;
    case WF_FAMILY_UNIFORM:
        job->kernel = wide ? k->uniform_f64 : k->uniform_f32;
        wf_uniform_args(a, wide, s->p.uniform.low, s->p.uniform.span, s->p.uniform.cap);
        break;
    case WF_FAMILY_NORMAL:
        job->kernel = wide ? k->normal_f64 : k->normal_f32;
        wf_normal_args(a, wide, s->p.normal.mean, s->p.normal.std);
        break;
    case WF_FAMILY_TRUNCATED_NORMAL:
        job->kernel = wide ? k->truncnorm_f64 : k->truncnorm_f32;
        wf_truncnorm_args(a, wide, &s->p.truncated_normal);
        break;
    }
}

static runs_job make_runs_job(void *out, const wf_runs *runs, const wf_fill_spec *s)
{
    runs_job job;
    memset(&job, 0, sizeof job);
    job.runs = runs;
    job.spec = s;
    job.out = (char *)out;
    const int wide = s->family != WF_FAMILY_RAW_U32 && s->dtype == WF_FLOAT64;
    job.per_shift = wide ? 1u : 2u;
    set_kernel(&job, s);
    job.out_size = job.narrow != NULL ? sizeof(uint16_t) : job.kernel_size;
    job.simd_blocks = simd_step_blocks();
    /* the most blocks a run can touch (whatever its first element), in whole SIMD steps */
    const uint64_t per = 1u << job.per_shift;
    const uint64_t touched = ((uint64_t)runs->length + 2 * (per - 1)) >> job.per_shift;
    job.is_short =
        (touched + job.simd_blocks - 1) / job.simd_blocks * job.simd_blocks <= WF_SCRATCH_BLOCKS;
    return job;
}

/* Stream positions [pos, pos + n) (from element 0 of the first block) written at dst by the
 * single-range function of wf_core.h. */
static void fill_range(const runs_job *job, void *dst, uint64_t pos, size_t n, int n_threads)
{
    const wf_fill_spec *s = job->spec;
    wf_origin o;
    o.seed = s->seed;
    o.stream = s->stream;
    o.block = job->runs->block + (pos >> job->per_shift);
    o.phase = (uint32_t)(pos & ((1u << job->per_shift) - 1));
    switch (s->family) {
    case WF_FAMILY_RAW_U32:
        wf_fill_raw_u32((uint32_t *)dst, n, &o, n_threads);
        break;
    case WF_FAMILY_UNIFORM:
        wf_fill_uniform(dst, s->dtype, n, &o, s->p.uniform.low, s->p.uniform.span, s->p.uniform.cap,
                        n_threads);
        break;
    case WF_FAMILY_NORMAL:
        wf_fill_normal(dst, s->dtype, n, &o, s->p.normal.mean, s->p.normal.std, n_threads);
        break;
    case WF_FAMILY_TRUNCATED_NORMAL:
        wf_fill_truncated_normal(dst, s->dtype, n, &o, &s->p.truncated_normal, n_threads);
        break;
    }
}

/* The same for a short range: the whole blocks it touches, computed into scratch (or
 * straight into dst when the range is exactly whole SIMD steps), then copied out. */
static void fill_short(const runs_job *job, char *dst, uint64_t pos, size_t n)
{
    const uint64_t per = 1u << job->per_shift, skip = pos & (per - 1);
    const uint64_t first = job->runs->block + (pos >> job->per_shift);
    const uint64_t step = job->simd_blocks;
    uint64_t blocks = (skip + n + per - 1) >> job->per_shift;
    /* step is a power of two: a mask, not a division, on this path taken once per row */
    const uint64_t rest = blocks & (step - 1); /* blocks the SIMD kernel would leave over */
    if (job->narrow == NULL && skip == 0 && n == blocks * per && rest == 0) {
        job->kernel(dst, first, (size_t)blocks, &job->args);
        return;
    }
    if (rest * WF_SCALAR_BLOCK_COST >= step - rest)
        blocks += step - rest; /* cheaper to compute whole SIMD steps and drop the extra */
    double scratch[2 * WF_SCRATCH_BLOCKS]; /* 16 bytes per block, for every kernel */
    job->kernel(scratch, first, (size_t)blocks, &job->args);
    if (job->narrow != NULL) /* 16-bit outputs come from the float32 kernels */
        job->narrow((const float *)scratch + skip, dst, n);
    else
        memcpy(dst, (const char *)scratch + skip * job->kernel_size, n * job->kernel_size);
}

/* Elements [lo, hi) of run r (runs numbered in C order of their indices). */
static void fill_part(const runs_job *job, size_t r, size_t lo, size_t hi, int n_threads)
{
    const wf_runs *runs = job->runs;
    uint64_t pos = runs->phase + lo;
    size_t dst = lo;
    for (int k = runs->n_axes - 1; k > 0; --k) {
        size_t i = r % runs->count[k];
        r /= runs->count[k];
        pos += (uint64_t)i * runs->stream_step[k];
        dst += i * runs->out_step[k];
    }
    if (runs->n_axes > 0) { /* what is left of r is the outermost index */
        pos += (uint64_t)r * runs->stream_step[0];
        dst += r * runs->out_step[0];
    }
    char *target = job->out + dst * job->out_size;
    if (job->is_short)
        fill_short(job, target, pos, hi - lo);
    else
        fill_range(job, target, pos, hi - lo, n_threads);
}

/* The serial thresholds of the single-range fills (wf_parallel.h), for the whole window. */
static size_t serial_below(const wf_fill_spec *s)
{
    switch (s->family) {
    case WF_FAMILY_NORMAL:
        return WF_SERIAL_NORMAL;
    case WF_FAMILY_TRUNCATED_NORMAL:
        return WF_SERIAL_TRUNCNORM;
    default:
        return WF_SERIAL_UNIFORM;
    }
}

void wf_fill_runs(void *out, const wf_runs *runs, const wf_fill_spec *spec, size_t first, size_t n,
                  int n_threads)
{
    const size_t length = runs->length;
    if (n == 0 || length == 0)
        return;
    const runs_job job = make_runs_job(out, runs, spec);
    /* the window [first, first + n) starts inside run r0 and ends inside run r1 */
    const size_t r0 = first / length, r1 = (first + n - 1) / length;
    const size_t lo0 = first - r0 * length, hi1 = first + n - r1 * length;
    const int64_t n_runs = (int64_t)(r1 - r0 + 1);
    int threads = wf_usable_threads(n_threads);
    if (n < serial_below(spec))
        threads = 1;
    if (threads > 1 && n_runs >= 2 * (int64_t)threads) {
        /* Many runs (a column block: short rows): each thread fills whole runs alone. */
        threads = wf_startable_team(threads);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t i = 0; i < n_runs; ++i) {
            size_t r = r0 + (size_t)i;
            fill_part(&job, r, r == r0 ? lo0 : 0, r == r1 ? hi1 : length, 1);
            WF_NOTE_TEAM(); /* after fill_part, whose single-range fills note a team of 1 */
        }
        return;
    }
    /* A few runs: one after the other, a long one split over the team as usual (and noted
     * by its single-range fill); short ones stay on this thread. */
    wf_note_team(1);
    for (size_t r = r0; r <= r1; ++r)
        fill_part(&job, r, r == r0 ? lo0 : 0, r == r1 ? hi1 : length, threads);
}
