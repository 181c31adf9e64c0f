/* AVX2 kernels.  setup.py compiles this file alone with -mavx2 -mf16c; they only run after
 * wf_dispatch.c has seen AVX2 and F16C on the CPU and the OS. */
#if defined(WF_HAVE_X86_SIMD)
#include "simd/wf_vec_avx2.h"
#include "simd/wf_simd_kernels.inc"
#else
typedef int wf_no_avx2_kernels; /* ISO C wants a declaration in every file */
#endif
