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

/* Below these sizes a fill runs on the calling thread: waking a thread team costs more than
 * it saves.  Measured on 2 cores with the AVX-512 kernels (docs/performance.md): 2 threads
 * start to win at about 8192 uniform, 4096 normal and 2048 truncated-normal elements (about
 * 5 us of work), and at about 256 KiB for constant fills. */
#ifndef WF_SERIAL_UNIFORM
#define WF_SERIAL_UNIFORM ((size_t)8192)
#endif
#ifndef WF_SERIAL_NORMAL
#define WF_SERIAL_NORMAL ((size_t)4096)
#endif
#ifndef WF_SERIAL_TRUNCNORM
#define WF_SERIAL_TRUNCNORM ((size_t)2048)
#endif
#ifndef WF_SERIAL_CONSTANT_BYTES
#define WF_SERIAL_CONSTANT_BYTES ((size_t)1 << 18)
#endif

/* Work is cut into chunks of this many elements, aligned on stream positions; small enough
 * that a few thousand elements already make several chunks.  The cut never shows in the
 * values: each element depends only on its stream position. */
#ifndef WF_CHUNK_ELEMENTS
#define WF_CHUNK_ELEMENTS ((uint64_t)1024)
#endif

/* `requested`, or 1 in a child process forked after the runtime was used (wf_parallel.c). */
int wf_usable_threads(int requested);

/* `team`, or the team the OS lets this thread start when that is fewer: called just before a
 * parallel region forms its team (wf_parallel.c). */
int wf_startable_team(int team);

/* Records the team size of the calling thread's fill; wf_last_team_size() (wf_core.h) reads
 * it. WF_NOTE_TEAM() goes in the body of a parallel loop: the team's thread 0 is the caller. */
void wf_note_team(int size);
#ifdef _OPENMP
#define WF_NOTE_TEAM()                                                                             \
    do {                                                                                           \
        if (omp_get_thread_num() == 0)                                                             \
            wf_note_team(omp_get_num_threads());                                                   \
    } while (0)
#else
#define WF_NOTE_TEAM() wf_note_team(1)
#endif

#endif /* WF_PARALLEL_H */
