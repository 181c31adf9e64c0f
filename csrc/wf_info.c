/* Build facts, and the block function over many counters (a plain loop: the fills use the
 * SIMD kernels, this serves philox4x32() and the known-answer tests). */
#include "wf_core.h"
#include "wf_parallel.h"
#include "wf_philox.h"

void wf_philox4x32_10_many(const uint32_t *counters, size_t n, uint32_t k0, uint32_t k1,
                           uint32_t *out)
{
    for (size_t i = 0; i < n; ++i)
        wf_philox4x32_10(counters + 4 * i, k0, k1, out + 4 * i);
}

int wf_openmp_version(void)
{
#ifdef _OPENMP
    return _OPENMP;
#else
    return 0;
#endif
}

const char *wf_openmp_runtime(void)
{
#if !defined(_OPENMP)
    return NULL;
#elif defined(_MSC_VER) && !defined(__clang__)
    return "vcomp";
#elif defined(__clang__) || defined(__INTEL_LLVM_COMPILER)
    return "libomp";
#else
    return "libgomp";
#endif
}

int wf_max_threads(void) { return wf_usable_threads(WF_OMP_MAX_THREADS()); }
