/* The fill driver: cuts a buffer into chunks aligned on stream positions, runs them on an
 * OpenMP team (or serially for small buffers), and lets a block kernel fill each chunk.
 * Every element is a pure function of its stream position, so the result cannot depend on
 * the thread count or on where the chunks fall. */
#include <string.h>

#include "wf_core.h"
#include "wf_kernels.h"
#include "wf_parallel.h"

/* 16-bit outputs are produced as float32 in batches of this many, then rounded. */
#define WF_NARROW_BATCH 512

typedef struct fill_job {
    wf_block_kernel kernel;
    size_t elem_size;    /* bytes of one element as the kernel writes it (4 or 8) */
    unsigned per_block;  /* elements per Philox block: 4 (32-bit words) or 2 (64-bit) */
    wf_narrow_fn narrow; /* float32 -> 16-bit rounding, or NULL */
    size_t out_size;     /* bytes of one output element */
    char *out;           /* output element at position `phase` */
    uint64_t block;      /* block of position 0 */
    uint32_t phase;
    wf_kernel_args args;
} fill_job;

/* Writes the kernel's elements at positions [begin, end) to dst (the element at `begin`). */
static void fill_span(const fill_job *job, char *dst, uint64_t begin, uint64_t end)
{
    const uint64_t per = job->per_block;
    const size_t size = job->elem_size;
    double edge[4]; /* one block of any element type (4 words, 4 floats or 2 doubles) */
    uint64_t pos = begin;

    if (pos < end && (pos % per != 0 || end - pos < per)) { /* partial first block */
        uint64_t b = pos / per;
        uint64_t stop = (b + 1) * per < end ? (b + 1) * per : end;
        job->kernel(edge, job->block + b, 1, &job->args);
        memcpy(dst, (const char *)edge + (pos % per) * size, (size_t)(stop - pos) * size);
        pos = stop;
    }
    uint64_t full = (end - pos) / per;
    if (full > 0) {
        job->kernel(dst + (pos - begin) * size, job->block + pos / per, (size_t)full, &job->args);
        pos += full * per;
    }
    if (pos < end) { /* partial last block */
        job->kernel(edge, job->block + pos / per, 1, &job->args);
        memcpy(dst + (pos - begin) * size, edge, (size_t)(end - pos) * size);
    }
}

/* Positions [begin, end) into the output buffer, through the 16-bit rounding if any. */
static void fill_positions(const fill_job *job, uint64_t begin, uint64_t end)
{
    char *dst = job->out + (begin - job->phase) * job->out_size;
    if (job->narrow == NULL) {
        fill_span(job, dst, begin, end);
        return;
    }
    float batch[WF_NARROW_BATCH];
    for (uint64_t pos = begin; pos < end; pos += WF_NARROW_BATCH) {
        uint64_t stop = end - pos < WF_NARROW_BATCH ? end : pos + WF_NARROW_BATCH;
        fill_span(job, (char *)batch, pos, stop);
        job->narrow(batch, dst + (pos - begin) * job->out_size, (size_t)(stop - pos));
    }
}

static void run_fill(const fill_job *job, size_t n, int n_threads, size_t serial_below)
{
    const uint64_t begin = job->phase, end = job->phase + (uint64_t)n;
    if (n == 0)
        return;
    n_threads = wf_usable_threads(n_threads);
    if (n_threads <= 1 || n < serial_below) {
        wf_note_team(1);
        fill_positions(job, begin, end);
        return;
    }
    const uint64_t first = begin / WF_CHUNK_ELEMENTS;
    const int64_t n_chunks = (int64_t)((end - 1) / WF_CHUNK_ELEMENTS - first + 1);
    /* a team larger than the number of chunks would only wake idle threads */
    const int team = wf_startable_team(n_chunks < (int64_t)n_threads ? (int)n_chunks : n_threads);
    (void)team;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(team)
#endif
    for (int64_t i = 0; i < n_chunks; ++i) {
        WF_NOTE_TEAM();
        uint64_t lo = (first + (uint64_t)i) * WF_CHUNK_ELEMENTS;
        uint64_t hi = lo + WF_CHUNK_ELEMENTS;
        fill_positions(job, lo > begin ? lo : begin, hi < end ? hi : end);
    }
}

/* A job for a kernel writing 32-bit (wide = 0) or 64-bit (wide = 1) elements, rounded to
 * 16 bits by `narrow` if not NULL. */
static fill_job make_job(wf_block_kernel kernel, int wide, wf_narrow_fn narrow, void *out,
                         const wf_origin *o)
{
    fill_job job;
    memset(&job, 0, sizeof job);
    job.kernel = kernel;
    job.elem_size = wide ? sizeof(double) : sizeof(float);
    job.per_block = wide ? 2u : 4u;
    job.narrow = narrow;
    job.out_size = narrow ? sizeof(uint16_t) : job.elem_size;
    job.out = (char *)out;
    job.block = o->block;
    job.phase = o->phase;
    job.args.key[0] = (uint32_t)o->seed;
    job.args.key[1] = (uint32_t)(o->seed >> 32);
    job.args.stream[0] = (uint32_t)o->stream;
    job.args.stream[1] = (uint32_t)(o->stream >> 32);
    return job;
}

/* A job for a float `dtype`: the float64 kernel for float64, the float32 one otherwise. */
static fill_job float_job(wf_block_kernel kernel_f32, wf_block_kernel kernel_f64, void *out,
                          wf_dtype dtype, const wf_origin *o)
{
    const wf_kernel_table *table = wf_active_kernels();
    wf_narrow_fn narrow = dtype == WF_FLOAT16    ? table->narrow_f16
                          : dtype == WF_BFLOAT16 ? table->narrow_bf16
                                                 : NULL;
    int wide = dtype == WF_FLOAT64;
    return make_job(wide ? kernel_f64 : kernel_f32, wide, narrow, out, o);
}

/* The float32 form of the parameters (docs/stream.md, mirrored by the fallback's
 * truncnorm_params_f32). */
static wf_truncnorm_f32 truncnorm_f32_params(const wf_truncation *p)
{
    float m = (float)p->mass; /* at least 2^-100 (Python refuses less): m 2^-24 is normal */
    wf_truncnorm_f32 t;
    t.mean = (float)p->mean;
    t.std = (float)p->std;
    t.lo = (float)p->lo;
    t.hi = (float)p->hi;
    t.p_lo = (float)p->p_lo;
    t.q4_hi = 4.0f * (float)p->q_hi;
    t.m24 = m * 0x1p-24f;
    t.m24x4 = m * 0x1p-22f;
    t.m23 = m * 0x1p-23f;
    t.d = (float)(p->p_lo - p->q_hi);
    return t;
}

void wf_uniform_args(wf_kernel_args *a, int wide, double low, double span, double cap)
{
    if (wide) {
        a->p.uniform_f64.low = low;
        a->p.uniform_f64.span = span;
        a->p.uniform_f64.cap = cap;
    } else {
        a->p.uniform_f32.low = (float)low;
        a->p.uniform_f32.span = (float)span;
        a->p.uniform_f32.cap = (float)cap;
    }
}

void wf_normal_args(wf_kernel_args *a, int wide, double mean, double std)
{
    if (wide) {
        a->p.normal_f64.mean = mean;
        a->p.normal_f64.std = std;
    } else {
        a->p.normal_f32.mean = (float)mean;
        a->p.normal_f32.std = (float)std;
    }
}

void wf_truncnorm_args(wf_kernel_args *a, int wide, const wf_truncation *t)
{
    if (wide)
        a->p.truncnorm_f64 = *t;
    else
        a->p.truncnorm_f32 = truncnorm_f32_params(t);
}

void wf_fill_raw_u32(uint32_t *out, size_t n, const wf_origin *origin, int n_threads)
{
    const wf_kernel_table *k = wf_active_kernels();
    fill_job job = make_job(k->raw_u32, 0, NULL, out, origin);
    run_fill(&job, n, n_threads, WF_SERIAL_UNIFORM);
}

void wf_fill_uniform(void *out, wf_dtype dtype, size_t n, const wf_origin *origin, double low,
                     double span, double cap, int n_threads)
{
    const wf_kernel_table *k = wf_active_kernels();
    fill_job job = float_job(k->uniform_f32, k->uniform_f64, out, dtype, origin);
    wf_uniform_args(&job.args, dtype == WF_FLOAT64, low, span, cap);
    run_fill(&job, n, n_threads, WF_SERIAL_UNIFORM);
}

void wf_fill_normal(void *out, wf_dtype dtype, size_t n, const wf_origin *origin, double mean,
                    double std, int n_threads)
{
    const wf_kernel_table *k = wf_active_kernels();
    fill_job job = float_job(k->normal_f32, k->normal_f64, out, dtype, origin);
    wf_normal_args(&job.args, dtype == WF_FLOAT64, mean, std);
    run_fill(&job, n, n_threads, WF_SERIAL_NORMAL);
}

void wf_fill_truncated_normal(void *out, wf_dtype dtype, size_t n, const wf_origin *origin,
                              const wf_truncation *t, int n_threads)
{
    const wf_kernel_table *k = wf_active_kernels();
    fill_job job = float_job(k->truncnorm_f32, k->truncnorm_f64, out, dtype, origin);
    wf_truncnorm_args(&job.args, dtype == WF_FLOAT64, t);
    run_fill(&job, n, n_threads, WF_SERIAL_TRUNCNORM);
}
