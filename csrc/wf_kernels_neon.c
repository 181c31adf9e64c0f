/* NEON kernels for AArch64.  Advanced SIMD is part of the base architecture, so setup.py
 * compiles this file with the flags of every other file (no -m flag) and wf_dispatch.c picks
 * it on every AArch64 CPU. */
#if defined(WF_HAVE_NEON)
#include "simd/wf_vec_neon.h"
#include "simd/wf_simd_kernels.inc"
#else
typedef int wf_no_neon_kernels; /* ISO C wants a declaration in every file */
#endif
