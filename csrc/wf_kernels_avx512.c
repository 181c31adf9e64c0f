/* AVX-512 kernels.  setup.py compiles this file alone with -mavx512f -mavx512dq -mavx512bw
 * -mavx512vl; they only run after wf_dispatch.c has seen those on the CPU and the OS. */
#if defined(WF_HAVE_X86_SIMD)
#include "simd/wf_vec_avx512.h"
#include "simd/wf_simd_kernels.inc"
#else
typedef int wf_no_avx512_kernels;
#endif
