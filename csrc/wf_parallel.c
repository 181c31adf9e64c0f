/* Thread counts the OpenMP runtime can actually deliver.
 *
 * GNU libgomp keeps its thread-pool state across fork(): in the child, the next parallel
 * region waits forever for pool threads that fork did not copy.  A child handler registered
 * with pthread_atfork marks the process as forked, and from then on every fill runs on the
 * calling thread.  The bytes do not change (they never depend on the thread count); only a
 * forked child loses its parallelism, as with PyTorch's CPU kernels.
 *
 * The OpenMP runtimes end the process when the OS refuses a thread (libgomp: "Thread creation
 * failed"), e.g. under a memory limit (ulimit -v), a process limit (ulimit -u) or a cgroup's
 * pids.max.  So before a host thread first forms a team larger than any it formed before
 * (the runtime keeps a pool of workers per host thread), wf_startable_team starts the
 * threads here, holds them together, releases and joins them, and caps the team at what
 * started.  Only the team size can change, never the bytes.  (Best effort: threads started
 * by others between the probe and the team can still exhaust the limit.) */
#include "wf_parallel.h"

#if defined(_OPENMP) && !defined(_WIN32)
#include <pthread.h>
#include <stdlib.h>

static volatile int forked_child = 0;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void) { forked_child = 1; }

static void register_fork_handler(void) { pthread_atfork(NULL, NULL, on_fork_child); }

/* The largest team this host thread has formed: its pool of OpenMP workers holds them. */
static _Thread_local int proven_team = 1;

struct probe {
    pthread_mutex_t lock;
    pthread_cond_t released_cond;
    int released;
};

static void *wait_for_release(void *arg)
{
    struct probe *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->released)
        pthread_cond_wait(&p->released_cond, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* How many of `extra` threads the OS lets this process hold at once. */
static int startable_extra(int extra)
{
    pthread_t *ids = malloc(sizeof *ids * (size_t)extra);
    if (ids == NULL)
        return 0;
    struct probe p = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    int started = 0;
    while (started < extra && pthread_create(&ids[started], NULL, wait_for_release, &p) == 0)
        ++started;
    pthread_mutex_lock(&p.lock);
    p.released = 1;
    pthread_cond_broadcast(&p.released_cond);
    pthread_mutex_unlock(&p.lock);
    for (int i = 0; i < started; ++i)
        pthread_join(ids[i], NULL);
    free(ids);
    return started;
}

int wf_usable_threads(int requested)
{
    /* registered before the first fill, so before any team exists that a fork could strand */
    pthread_once(&handler_once, register_fork_handler);
    return forked_child ? 1 : requested;
}

int wf_startable_team(int team)
{
    if (team <= proven_team)
        return team;
    team = 1 + startable_extra(team - 1);
    if (team > proven_team)
        proven_team = team;
    return team;
}
#else
int wf_usable_threads(int requested) { return requested; }

int wf_startable_team(int team) { return team; }
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
