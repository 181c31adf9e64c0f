/* The fills of a table (csrc/tests/fill_cases.txt), written as raw bytes, one file per case,
 * so that builds for other CPUs, SIMD levels and thread counts can be compared byte for byte
 * (tools/check_aarch64.sh runs it on x86-64 and, under qemu, on AArch64).  C only: no Python,
 * OpenMP optional.
 *
 *   check_fills [-l LEVEL] [-t THREADS] [-o DIR] [-c LABEL DTYPE N] TABLE
 *
 * -l  SIMD level (wf_simd_name: scalar, sse2, avx2, avx512, neon); default the best.  The
 *     level in use is printed first ("level NAME"), since a CPU without it runs its best.
 * -t  threads of every fill (default 1).
 * -o  write case i's bytes to DIR/NNN.bin and print "label dtype n offset NNN.bin" for each.
 * -c  run only the first case with this label and dtype, with N elements, once, writing
 *     nothing (for counting instructions per value: tools/neon_instructions.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wf_core.h"
#include "../wf_kernels.h" /* the 16-bit roundings of the level in use */
#include "../wf_runs.h"

#define MAX_PARAMS 16
#define MAX_LINE 1024

typedef struct fill_case {
    char label[64], dtype[16];
    size_t n;
    uint64_t offset, seed, stream;
    int is_block; /* an index= block: rows r0..r1-1, columns c0..c1-1 of a rows x cols tensor */
    size_t rows, cols, r0, r1, c0, c1;
    int n_params;
    double params[MAX_PARAMS];
    uint32_t bits[MAX_PARAMS]; /* narrow:special: the float32 inputs */
} fill_case;

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "check_fills: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static uint64_t parse_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || s[0] == '-')
        fail("not an unsigned integer", s);
    return (uint64_t)v;
}

/* The family of a case's label (its part before ':', "raw" for raw_u32), from the C family
 * table (wf_families.h); 0 for "narrow". */
static int family_of(const char *label, wf_family *family)
{
    const size_t len = strcspn(label, ":");
    for (int code = 0; code < WF_N_FAMILIES; ++code) {
        const char *name = code == WF_FAMILY_RAW_U32 ? "raw" : wf_family_name(code);
        if (strlen(name) == len && strncmp(label, name, len) == 0) {
            *family = (wf_family)code;
            return 1;
        }
    }
    return 0; /* narrow */
}

static wf_dtype dtype_of(const char *name)
{
    if (strcmp(name, "float64") == 0)
        return WF_FLOAT64;
    if (strcmp(name, "float16") == 0)
        return WF_FLOAT16;
    if (strcmp(name, "bfloat16") == 0)
        return WF_BFLOAT16;
    if (strcmp(name, "uint32") == 0)
        return WF_UINT32;
    return WF_FLOAT32;
}

static size_t element_size(const fill_case *c)
{
    const wf_dtype d = dtype_of(c->dtype);
    return d == WF_FLOAT64 ? 8 : d == WF_FLOAT16 || d == WF_BFLOAT16 ? 2 : 4;
}

/* One table line into c; 0 for a blank or comment line. */
static int parse_case(char *line, fill_case *c)
{
    char *tok[8 + MAX_PARAMS];
    int n_tok = 0;
    for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
        if (n_tok == 0 && t[0] == '#')
            return 0;
        if (n_tok == 8 + MAX_PARAMS)
            fail("too many fields in line of", tok[0]);
        tok[n_tok++] = t;
    }
    if (n_tok == 0)
        return 0;
    if (n_tok < 7)
        fail("a case needs label dtype n offset seed stream layout", tok[0]);
    memset(c, 0, sizeof *c);
    if (strlen(tok[0]) >= sizeof c->label || strlen(tok[1]) >= sizeof c->dtype)
        fail("label or dtype too long", tok[0]);
    strcpy(c->label, tok[0]);
    strcpy(c->dtype, tok[1]);
    c->n = (size_t)parse_u64(tok[2]);
    c->offset = parse_u64(tok[3]);
    c->seed = parse_u64(tok[4]);
    c->stream = parse_u64(tok[5]);
    if (strcmp(tok[6], "-") != 0) {
        c->is_block = 1;
        if (sscanf(tok[6], "%zux%zu[%zu:%zu,%zu:%zu]", &c->rows, &c->cols, &c->r0, &c->r1, &c->c0,
                   &c->c1) != 6 ||
            c->r0 >= c->r1 || c->r1 > c->rows || c->c0 >= c->c1 || c->c1 > c->cols ||
            (c->r1 - c->r0) * (c->c1 - c->c0) != c->n)
            fail("layout is not RxC[r0:r1,c0:c1] holding n elements", tok[6]);
    }
    c->n_params = n_tok - 7;
    const int narrow_bits = strcmp(c->label, "narrow:special") == 0;
    const int single = dtype_of(c->dtype) != WF_FLOAT64;
    for (int i = 0; i < c->n_params; ++i) {
        const char *s = tok[7 + i];
        if (narrow_bits) {
            c->bits[i] = (uint32_t)parse_u64(s);
            continue;
        }
        char *end;
        c->params[i] = strtod(s, &end);
        if (*end)
            fail("not a number", s);
        if (single && (double)(float)c->params[i] != c->params[i])
            fail("parameter is not a float32 value (wf_core.h)", s);
    }
    if (narrow_bits && (size_t)c->n_params != c->n)
        fail("narrow:special needs n bit patterns", c->label);
    return 1;
}

/* The float32 inputs of a narrow case: the listed bit patterns, or (sweep) patterns whose top
 * 19 bits are i (every sign, exponent and float16 mantissa for n = 2^19) and whose low 13
 * bits, picked by a hash of i, make a float16 tie, a near-tie or an exact value (and a
 * bfloat16 tie when bits 13-15 of i are 100). */
static void narrow_inputs(const fill_case *c, float *src)
{
    static const uint32_t low[4] = {0x1000u, 0x0FFFu, 0x1001u, 0x0000u};
    for (size_t i = 0; i < c->n; ++i) {
        const uint32_t pick = ((uint32_t)i * 2654435761u) >> 30;
        const uint32_t bits = c->n_params ? c->bits[i] : ((uint32_t)i << 13) | low[pick];
        memcpy(&src[i], &bits, sizeof bits);
    }
}

static void run_narrow(const fill_case *c, void *out)
{
    float *src = malloc(c->n * sizeof *src);
    if (!src)
        fail("out of memory", c->label);
    narrow_inputs(c, src);
    const wf_kernel_table *k = wf_active_kernels();
    (dtype_of(c->dtype) == WF_FLOAT16 ? k->narrow_f16 : k->narrow_bf16)(src, out, c->n);
    free(src);
}

static void fill_spec(const fill_case *c, wf_family family, wf_spec *spec)
{
    if (c->n_params != wf_family_params((int)family))
        fail("wrong number of parameters", c->label);
    memset(spec, 0, sizeof *spec);
    spec->family = family;
    spec->dtype = dtype_of(c->dtype);
    spec->seed = c->seed;
    spec->stream = c->stream;
    memcpy(spec->params, c->params, (size_t)c->n_params * sizeof c->params[0]);
}

/* A case's fill into out (n elements of its dtype). */
static void run_case(const fill_case *c, void *out, int threads)
{
    wf_family family;
    if (!family_of(c->label, &family)) {
        run_narrow(c, out);
        return;
    }
    wf_spec spec;
    fill_spec(c, family, &spec);
    const unsigned shift = wf_block_shift(spec.dtype);
    const uint64_t first = c->offset + (c->is_block ? c->r0 * c->cols + c->c0 : 0);
    const wf_position at = wf_position_at(0, first, shift);
    int failed;
    if (c->is_block) { /* one run per row, as _blocks.py lays out an index= rectangle */
        wf_runs runs;
        memset(&runs, 0, sizeof runs);
        runs.block = at.block;
        runs.phase = at.phase;
        runs.length = c->c1 - c->c0;
        runs.n_axes = 1;
        runs.count[0] = c->r1 - c->r0;
        runs.stream_step[0] = c->cols;
        runs.out_step[0] = runs.length;
        failed = wf_fill_runs(out, &runs, &spec, 0, c->n, threads);
    } else {
        failed = wf_fill(out, &spec, c->n, at.block, at.phase, threads);
    }
    if (failed)
        fail("no kernel for this family and dtype", c->label);
}

static void select_level(const char *name)
{
    int level = -1;
    for (int i = 0; i <= WF_SIMD_NEON; ++i)
        if (strcmp(wf_simd_name(i), name) == 0)
            level = i;
    if (level < 0)
        fail("unknown SIMD level", name);
    wf_simd_select(level);
}

static void write_file(const char *dir, int index, const void *data, size_t size, char *name)
{
    char path[4096];
    snprintf(name, 16, "%03d.bin", index);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fail("cannot write", path);
}

int main(int argc, char **argv)
{
    const char *level = NULL, *dir = NULL, *table = NULL;
    const char *only_label = NULL, *only_dtype = NULL;
    size_t only_n = 0;
    int threads = 1;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            level = argv[++i];
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            threads = (int)parse_u64(argv[++i]);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 3 < argc) {
            only_label = argv[++i];
            only_dtype = argv[++i];
            only_n = (size_t)parse_u64(argv[++i]);
        } else if (argv[i][0] != '-' && !table)
            table = argv[i];
        else
            fail("usage: check_fills [-l LEVEL] [-t THREADS] [-o DIR] [-c LABEL DTYPE N] TABLE",
                 NULL);
    }
    if (!table)
        fail("usage: check_fills [-l LEVEL] [-t THREADS] [-o DIR] [-c LABEL DTYPE N] TABLE", NULL);
    if (level)
        select_level(level);
    printf("level %s\n", wf_simd_name(wf_simd_level()));

    FILE *f = fopen(table, "r");
    if (!f)
        fail("cannot read", table);
    char line[MAX_LINE];
    fill_case c;
    int index = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        if (!parse_case(line, &c))
            continue;
        if (only_label) {
            if (found || strcmp(c.label, only_label) != 0 || strcmp(c.dtype, only_dtype) != 0 ||
                c.is_block)
                continue;
            c.n = only_n;
            found = 1;
        }
        void *out = malloc(c.n * element_size(&c) + 1);
        if (!out)
            fail("out of memory", c.label);
        run_case(&c, out, threads);
        if (dir) {
            char name[16];
            write_file(dir, index, out, c.n * element_size(&c), name);
            printf("%s %s %zu %llu %s\n", c.label, c.dtype, c.n, (unsigned long long)c.offset,
                   name);
        }
        free(out);
        ++index;
    }
    fclose(f);
    if (only_label && !found)
        fail("no contiguous case with that label and dtype", only_label);
    return 0;
}
