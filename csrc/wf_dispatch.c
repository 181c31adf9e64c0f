/* Run-time choice of the kernel set: the best level the CPU and OS support, or a lower one
 * asked for (WINIT_FAST_SIMD, through wf_simd_select).  All levels return the same bytes.
 * x86-64 levels are found with CPUID and XGETBV; on AArch64 NEON is always there. */
#include "wf_core.h"
#include "wf_kernels.h"

#if defined(WF_HAVE_X86_SIMD)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if defined(WF_HAVE_X86_SIMD)
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
#if defined(_MSC_VER)
    int regs[4];
    __cpuidex(regs, (int)leaf, (int)sub);
    for (int i = 0; i < 4; ++i)
        r[i] = (unsigned)regs[i];
#else
    if (!__get_cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]))
        r[0] = r[1] = r[2] = r[3] = 0;
#endif
}

/* Which register states the OS saves (XCR0); only valid when OSXSAVE is set. */
static unsigned long long xcr0(void)
{
#if defined(_MSC_VER)
    return _xgetbv(0);
#else
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
#endif
}

static int detect(void)
{
    unsigned l1[4], l7[4];
    cpuid(0, 0, l1);
    if (l1[0] < 7)
        return WF_SIMD_SSE2;
    cpuid(1, 0, l1);
    cpuid(7, 0, l7);
    const int osxsave = (l1[2] >> 27) & 1, avx = (l1[2] >> 28) & 1, f16c = (l1[2] >> 29) & 1;
    if (!(osxsave && avx))
        return WF_SIMD_SSE2;
    const unsigned long long xcr = xcr0();
    const int ymm_saved = (xcr & 0x6) == 0x6, zmm_saved = (xcr & 0xE6) == 0xE6;
    const int avx2 = (l7[1] >> 5) & 1;
    const int avx512 = ((l7[1] >> 16) & 1) && ((l7[1] >> 17) & 1)     /* F, DQ */
                       && ((l7[1] >> 30) & 1) && ((l7[1] >> 31) & 1); /* BW, VL */
    if (avx512 && avx2 && f16c && zmm_saved)
        return WF_SIMD_AVX512;
    if (avx2 && f16c && ymm_saved)
        return WF_SIMD_AVX2;
    return WF_SIMD_SSE2;
}
#elif defined(WF_HAVE_NEON)
static int detect(void) { return WF_SIMD_NEON; } /* Advanced SIMD is part of AArch64 */
#else
static int detect(void) { return WF_SIMD_SCALAR; }
#endif

/* The two levels are read by every fill, possibly from several threads at once, and written
 * rarely (once on first use, and by wf_simd_select): atomics make that race-free.  Relaxed
 * order is enough, since each is a single int that every writer computes the same way (the
 * CPU's level never changes) or sets on purpose.  Without C11 atomics (old MSVC) they fall
 * back to plain ints, where an int's load and store do not tear on the targets we build. */
#if !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
typedef atomic_int wf_level;
#define WF_LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define WF_STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)
#else
typedef volatile int wf_level;
#define WF_LOAD(x) (x)
#define WF_STORE(x, v) ((x) = (v))
#endif

static wf_level available_level = -1; /* -1: not detected yet */
static wf_level active_level = -1;    /* set by wf_simd_select; -1: not chosen yet (the best) */

int wf_simd_available(void)
{
    int level = WF_LOAD(available_level);
    if (level < 0) {
        level = detect();
        WF_STORE(available_level, level);
    }
    return level;
}

/* The levels form one chain per architecture (wf_core.h): scalar is on both, the best level
 * of an x86-64 CPU is at most WF_SIMD_AVX512, and NEON is an AArch64 CPU's only other one. */
int wf_simd_has(int level)
{
    const int best = wf_simd_available();
    if (level == WF_SIMD_SCALAR)
        return 1;
    return best == WF_SIMD_NEON ? level == WF_SIMD_NEON : level > 0 && level <= best;
}

int wf_simd_select(int level)
{
    int chosen = wf_simd_has(level) ? level : wf_simd_available();
    WF_STORE(active_level, chosen);
    return chosen;
}

int wf_simd_level(void)
{
    int level = WF_LOAD(active_level);
    return level < 0 ? wf_simd_select(-1) : level;
}

const char *wf_simd_name(int level)
{
    static const char *names[] = {"scalar", "sse2", "avx2", "avx512", "neon"};
    return level >= 0 && level <= WF_SIMD_NEON ? names[level] : "unknown";
}

const wf_kernel_table *wf_active_kernels(void)
{
#if defined(WF_HAVE_X86_SIMD)
    switch (wf_simd_level()) {
    case WF_SIMD_AVX512:
        return &wf_kernels_avx512;
    case WF_SIMD_AVX2:
        return &wf_kernels_avx2;
    default:
        break;
    }
#endif
#if defined(WF_HAVE_NEON)
    if (wf_simd_level() == WF_SIMD_NEON)
        return &wf_kernels_neon;
#endif
    return &wf_kernels_scalar;
}
