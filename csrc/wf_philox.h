/* Philox4x32-10, the counter-based block function of Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3" (SC 2011), in the word order of Random123.
 *
 * One call maps a 128-bit counter and a 64-bit key to 128 random bits.  Everything here is
 * a static inline function so that the fill kernels can inline and vectorize it.  No Python.
 */
#ifndef WF_PHILOX_H
#define WF_PHILOX_H

#include <stdint.h>

#define WF_PHILOX_M0 0xD2511F53u
#define WF_PHILOX_M1 0xCD9E8D57u
#define WF_PHILOX_W0 0x9E3779B9u /* Weyl key increments */
#define WF_PHILOX_W1 0xBB67AE85u
#define WF_PHILOX_ROUNDS 10

/* One round: two 32x32->64 multiplies, then the Philox S-box permutation. */
static inline void wf_philox_round(uint32_t c[4], uint32_t k0, uint32_t k1)
{
    uint64_t p0 = (uint64_t)WF_PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)WF_PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k0;
    uint32_t n2 = hi0 ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

/* out = Philox4x32-10(counter ctr, key (k0, k1)). out may alias nothing else. */
static inline void wf_philox4x32_10(const uint32_t ctr[4], uint32_t k0, uint32_t k1,
                                    uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    for (int r = 0; r < WF_PHILOX_ROUNDS; ++r) {
        wf_philox_round(c, k0, k1);
        k0 += WF_PHILOX_W0; /* the bump after the last round is never used */
        k1 += WF_PHILOX_W1;
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
    out[3] = c[3];
}

#endif /* WF_PHILOX_H */
