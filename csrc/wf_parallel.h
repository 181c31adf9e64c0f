/* Every OpenMP call of the core goes through here, with serial stand-ins when the extension
 * is built without OpenMP (as scikit-learn's _openmp_helpers do). */
#ifndef WF_PARALLEL_H
#define WF_PARALLEL_H

#ifdef _OPENMP
#include <omp.h>
#define WF_OMP_MAX_THREADS() omp_get_max_threads()
#else
#define WF_OMP_MAX_THREADS() 1
#endif

/* Below this many elements a fill runs on the calling thread: waking a thread team costs
 * more than it saves (measured with bench/, see docs/performance.md). */
#define WF_SERIAL_THRESHOLD ((size_t)1 << 15)

/* Work is cut into chunks of this many elements, aligned on stream positions, so that the
 * split never depends on the thread count in a way that could change a value. */
#define WF_CHUNK_ELEMENTS ((uint64_t)1 << 14)

#endif /* WF_PARALLEL_H */
