/* The distribution families: one line each, the one C record of a family.
 *
 * X(ID, name, kernel32, kernel64, n_params, serial_below, args), for each family:
 *   ID            its code WF_FAMILY_<ID>: the same integers as Python's family records
 *                 (winit_fast._distributions), the position in this list
 *   name          its name, as Python spells it
 *   kernel32      block kernel wf_kernel_<kernel32> of every SIMD level (wf_kernels_scalar.c,
 *                 simd/wf_simd_kernels.inc): 32-bit elements, and the float32 values that
 *                 float16 and bfloat16 outputs round
 *   kernel64      block kernel wf_kernel_<kernel64>: float64 elements
 *   n_params      how many of wf_spec.params it reads (the Python record's backend parameters)
 *   serial_below  below this many elements a fill stays on the calling thread (wf_parallel.h)
 *   args          how its kernel arguments are made from the parameters (wf_fill.c): `plain`
 *                 rounds each to the kernel's precision, in order
 *
 * The parameters, in order:
 *   raw_u32           none: the stream's 32-bit words, into uint32 outputs
 *   uniform           low, span, cap       min(low + span u, cap)
 *   normal            mean, std            mean + std z (Box-Muller)
 *   truncated_normal  mean, std, lo, hi, p_lo, q_hi, mass   (inverse CDF; wf_transforms.h)
 */
#ifndef WF_FAMILIES_H
#define WF_FAMILIES_H

#define WF_FAMILIES(X)                                                                             \
    X(RAW_U32, raw_u32, raw_u32, raw_u32, 0, WF_SERIAL_UNIFORM, plain)                             \
    X(UNIFORM, uniform, uniform_f32, uniform_f64, 3, WF_SERIAL_UNIFORM, plain)                     \
    X(NORMAL, normal, normal_f32, normal_f64, 2, WF_SERIAL_NORMAL, plain)                          \
    X(TRUNCATED_NORMAL, truncated_normal, truncnorm_f32, truncnorm_f64, 7, WF_SERIAL_TRUNCNORM,    \
      truncnorm)

/* The most parameters a family takes. */
#define WF_MAX_PARAMS 7

#endif /* WF_FAMILIES_H */
