/* The fill driver: makes a fill's job from its family record (wf_families.h), cuts the
 * buffer into chunks aligned on stream positions, runs them on an OpenMP team (or serially
 * for small buffers), and lets the job's block kernel fill each chunk.
 * Every element is a pure function of its stream position, so the result cannot depend on
 * the thread count or on where the chunks fall. */
#include <string.h>

#include "wf_core.h"
#include "wf_kernels.h"
#include "wf_parallel.h"

/* 16-bit outputs are produced as float32 in batches of this many, then rounded. */
#define WF_NARROW_BATCH 512

/* A contiguous fill: its job, where its output starts and at which stream position. */
typedef struct fill_job {
    const wf_job *job;
    char *out;      /* output element at position `phase` */
    uint64_t block; /* block of position 0 */
    uint32_t phase;
} fill_job;

/* Writes the kernel's elements at positions [begin, end) to dst (the element at `begin`). */
static void fill_span(const fill_job *f, char *dst, uint64_t begin, uint64_t end)
{
    const wf_job *job = f->job;
    const unsigned shift = job->shift;
    const uint64_t per = 1u << shift;
    const size_t size = job->kernel_size;
    double edge[4]; /* one block of any element type (4 words, 4 floats or 2 doubles) */
    uint64_t pos = begin;

    if (pos < end && ((pos & (per - 1)) != 0 || end - pos < per)) { /* partial first block */
        wf_position at = wf_position_at(f->block, pos, shift);
        uint64_t stop = ((pos >> shift) + 1) << shift;
        stop = stop < end ? stop : end;
        job->kernel(edge, at.block, 1, &job->args);
        memcpy(dst, (const char *)edge + at.phase * size, (size_t)(stop - pos) * size);
        pos = stop;
    }
    uint64_t full = (end - pos) >> shift;
    if (full > 0) {
        job->kernel(dst + (pos - begin) * size, wf_position_at(f->block, pos, shift).block,
                    (size_t)full, &job->args);
        pos += full << shift;
    }
    if (pos < end) { /* partial last block */
        job->kernel(edge, wf_position_at(f->block, pos, shift).block, 1, &job->args);
        memcpy(dst + (pos - begin) * size, edge, (size_t)(end - pos) * size);
    }
}

/* Positions [begin, end) into the output buffer, through the 16-bit rounding if any. */
static void fill_positions(const fill_job *f, uint64_t begin, uint64_t end)
{
    const wf_job *job = f->job;
    char *dst = f->out + (begin - f->phase) * job->out_size;
    if (job->narrow == NULL) {
        fill_span(f, dst, begin, end);
        return;
    }
    float batch[WF_NARROW_BATCH];
    for (uint64_t pos = begin; pos < end; pos += WF_NARROW_BATCH) {
        uint64_t stop = end - pos < WF_NARROW_BATCH ? end : pos + WF_NARROW_BATCH;
        fill_span(f, (char *)batch, pos, stop);
        job->narrow(batch, dst + (pos - begin) * job->out_size, (size_t)(stop - pos));
    }
}

void wf_run_job(const wf_job *job, void *out, uint64_t block, uint32_t phase, size_t n,
                int n_threads)
{
    const fill_job f = {job, (char *)out, block, phase};
    const uint64_t begin = phase, end = phase + (uint64_t)n;
    if (n == 0)
        return;
    n_threads = wf_usable_threads(n_threads);
    if (n_threads <= 1 || n < job->serial_below) {
        wf_note_team(1);
        fill_positions(&f, begin, end);
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
        fill_positions(&f, lo > begin ? lo : begin, hi < end ? hi : end);
    }
}

/* ---- kernel arguments: how each family's parameters reach its kernel (wf_families.h) ---- */

/* Each parameter rounded to the kernel's precision, in order. */
static void plain_args(wf_kernel_args *a, int wide, const double *params, int n_params)
{
    for (int i = 0; i < n_params; ++i) {
        if (wide)
            a->p.f64[i] = params[i];
        else
            a->p.f32[i] = (float)params[i];
    }
}

/* The float32 form of the parameters (docs/stream.md, mirrored by the fallback's
 * truncnorm_params_f32); float64 takes them as they are. */
static void truncnorm_args(wf_kernel_args *a, int wide, const double *params, int n_params)
{
    (void)n_params;
    wf_truncation p = {params[0], params[1], params[2], params[3], params[4], params[5], params[6]};
    if (wide) {
        a->p.truncnorm_f64 = p;
        return;
    }
    float m = (float)p.mass; /* at least 2^-100 (Python refuses less): m 2^-24 is normal */
    wf_truncnorm_f32 *t = &a->p.truncnorm_f32;
    t->mean = (float)p.mean;
    t->std = (float)p.std;
    t->lo = (float)p.lo;
    t->hi = (float)p.hi;
    t->p_lo = (float)p.p_lo;
    t->q4_hi = 4.0f * (float)p.q_hi;
    t->m24 = m * 0x1p-24f;
    t->m24x4 = m * 0x1p-22f;
    t->m23 = m * 0x1p-23f;
    t->d = (float)(p.p_lo - p.q_hi);
}

/* ---- the family table ------------------------------------------------------------------- */

typedef struct family_record {
    const char *name;
    int n_params;
    size_t serial_below;
    void (*args)(wf_kernel_args *a, int wide, const double *params, int n_params);
} family_record;

#define WF_FAMILY_RECORD(ID, name, k32, k64, n_params, serial_below, args)                         \
    [WF_FAMILY_##ID] = {#name, n_params, serial_below, args##_args},
static const family_record FAMILIES[WF_N_FAMILIES] = {WF_FAMILIES(WF_FAMILY_RECORD)};

const char *wf_family_name(int code)
{
    return code >= 0 && code < WF_N_FAMILIES ? FAMILIES[code].name : NULL;
}

int wf_family_params(int code)
{
    return code >= 0 && code < WF_N_FAMILIES ? FAMILIES[code].n_params : -1;
}

int wf_make_job(wf_job *job, const wf_spec *spec)
{
    const int words = spec->dtype == WF_UINT32;
    if ((int)spec->family < 0 || (int)spec->family >= WF_N_FAMILIES || (int)spec->dtype < 0 ||
        (int)spec->dtype > WF_UINT32 || words != (spec->family == WF_FAMILY_RAW_U32))
        return -1;
    const family_record *family = &FAMILIES[spec->family];
    const wf_kernel_table *table = wf_active_kernels();
    const int wide = spec->dtype == WF_FLOAT64;
    memset(job, 0, sizeof *job);
    job->kernel = table->kernel[spec->family][wide];
    job->narrow = spec->dtype == WF_FLOAT16    ? table->narrow_f16
                  : spec->dtype == WF_BFLOAT16 ? table->narrow_bf16
                                               : NULL;
    job->kernel_size = wide ? sizeof(double) : sizeof(float);
    job->out_size = job->narrow != NULL ? sizeof(uint16_t) : job->kernel_size;
    job->shift = wf_block_shift(spec->dtype);
    job->step_blocks = table->step_blocks;
    job->serial_below = family->serial_below;
    job->args.key[0] = (uint32_t)spec->seed;
    job->args.key[1] = (uint32_t)(spec->seed >> 32);
    job->args.stream[0] = (uint32_t)spec->stream;
    job->args.stream[1] = (uint32_t)(spec->stream >> 32);
    family->args(&job->args, wide, spec->params, family->n_params);
    return 0;
}

int wf_fill(void *out, const wf_spec *spec, size_t n, uint64_t block, uint32_t phase, int n_threads)
{
    wf_job job;
    if (wf_make_job(&job, spec) != 0)
        return -1;
    wf_run_job(&job, out, block, phase, n, n_threads);
    return 0;
}
