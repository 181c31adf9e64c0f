/* Thread counts the OpenMP runtime can actually deliver.
 *
 * GNU libgomp keeps its thread-pool state across fork(): in the child, the next parallel
 * region waits forever for pool threads that fork did not copy.  A child handler registered
 * with pthread_atfork marks the process as forked, and from then on every fill runs on the
 * calling thread.  The bytes do not change (they never depend on the thread count); only a
 * forked child loses its parallelism, as with PyTorch's CPU kernels. */
#include "wf_parallel.h"

#if defined(_OPENMP) && !defined(_WIN32)
#include <pthread.h>

static volatile int forked_child = 0;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void) { forked_child = 1; }

static void register_fork_handler(void) { pthread_atfork(NULL, NULL, on_fork_child); }

int wf_usable_threads(int requested)
{
    /* registered before the first fill, so before any team exists that a fork could strand */
    pthread_once(&handler_once, register_fork_handler);
    return forked_child ? 1 : requested;
}
#else
int wf_usable_threads(int requested) { return requested; }
#endif

/* The team size of the calling thread's last fill, so a test can tell a core that never
 * starts a second thread from one that does (the bytes are the same either way). Thread-
 * local: a fill reports to the thread that called it. */
#if defined(_MSC_VER) && !defined(__clang__)
static __declspec(thread) int last_team = 0;
#else
static _Thread_local int last_team = 0;
#endif

void wf_note_team(int size) { last_team = size; }

int wf_last_team_size(void) { return last_team; }
