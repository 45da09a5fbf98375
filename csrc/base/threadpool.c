/* threadpool.c - a fixed pool of pthreads handing out chunk indices with an atomic counter
 * (see threadpool.h). The calling thread works too, so n threads means n-1 workers. A worker
 * joins a job only while it is open: once the caller has claimed the last chunk it closes the job
 * and waits for the workers that joined, never for one that has not woken up yet (at batch 32 a
 * pooling or Adam job is done before a sleeping worker is scheduled, tens of microseconds).
 * Between jobs a worker, and the caller waiting for the last chunk, first watch for a short
 * while (SPIN_NS, yielding the core now and then) before sleeping on the condition variable:
 * a training step at batch 32 is dozens of jobs a few microseconds apart. */
#include "base/threadpool.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS CV_MAX_THREADS

void openblas_set_num_threads(int n);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t submit_mu = PTHREAD_MUTEX_INITIALIZER;

static atomic_int nthreads;       /* 0 = not yet decided; read without the lock once set */
static int nworkers = 0;          /* started worker threads */
static pthread_t workers[MAX_THREADS];
static _Thread_local int in_worker = 0;
static _Thread_local int thread_index = 0;  /* 0 outside the pool, 1.. for workers */

/* the job being run */
static cv_range_fn job_fn;
static void *job_ctx;
static int64_t job_n, job_grain, job_chunks;
static atomic_llong job_next;
static int job_active_workers;     /* workers allowed on this job */
static int job_running;            /* workers that joined this job and are still inside it */
static int job_open;               /* workers may still join (chunks may be left) */
static unsigned long job_gen;
static atomic_ulong gen_seen;      /* job_gen, readable without the lock (for spinning) */
static atomic_int running_seen;    /* job_running, likewise */

#define SPIN_NS 100000

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* waits (without the lock, at most SPIN_NS) until *v differs from `from`: 1 if it did */
static int spin_while_ulong(atomic_ulong *v, unsigned long from) {
  int64_t t0 = now_ns();
  for (int i = 1;; i++) {
    if (atomic_load_explicit(v, memory_order_acquire) != from) return 1;
    cpu_relax();
    if (i % 64 == 0) {
      if (now_ns() - t0 > SPIN_NS) return 0;
      if (i % 1024 == 0) sched_yield();  /* a neighbour (or our own caller) may need the core */
    }
  }
}

/* the same until *v is 0 */
static int spin_until_zero(atomic_int *v) {
  int64_t t0 = now_ns();
  for (int i = 1;; i++) {
    if (atomic_load_explicit(v, memory_order_acquire) == 0) return 1;
    cpu_relax();
    if (i % 64 == 0) {
      if (now_ns() - t0 > SPIN_NS) return 0;
      if (i % 1024 == 0) sched_yield();
    }
  }
}

int64_t cv_parallel_chunks(int64_t n, int64_t grain) {
  if (n <= 0) return 0;
  if (grain < 1) grain = 1;
  return (n + grain - 1) / grain;
}

static void run_chunks(void) {
  for (;;) {
    long long c = atomic_fetch_add(&job_next, 1);
    if (c >= job_chunks) break;
    int64_t b = (int64_t)c * job_grain, e = b + job_grain;
    if (e > job_n) e = job_n;
    job_fn(job_ctx, b, e);
  }
}

static void *worker_main(void *arg) {
  int id = (int)(intptr_t)arg;
  unsigned long seen = 0;
  in_worker = 1;
  thread_index = id + 1;
  pthread_mutex_lock(&mu);
  for (;;) {
    if (job_gen == seen) {
      pthread_mutex_unlock(&mu);
      spin_while_ulong(&gen_seen, seen);
      pthread_mutex_lock(&mu);
      while (job_gen == seen) pthread_cond_wait(&work_cv, &mu);
    }
    seen = job_gen;
    if (id >= job_active_workers || !job_open) continue;
    job_running++;
    atomic_store(&running_seen, job_running);
    pthread_mutex_unlock(&mu);
    run_chunks();
    pthread_mutex_lock(&mu);
    atomic_store(&running_seen, --job_running);
    if (job_running == 0 && !job_open) pthread_cond_signal(&done_cv);
  }
  return NULL;
}

/* lock-free once decided, so kernels (cv_gemm) may ask from inside a parallel job */
int cv_get_num_threads(void) {
  int n = atomic_load(&nthreads);
  if (n) return n;
  pthread_mutex_lock(&submit_mu);
  if (atomic_load(&nthreads) == 0) {
    const char *env = getenv("CVISION_NUM_THREADS");
    long v = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if (v < 1) v = 1;
    if (v > MAX_THREADS) v = MAX_THREADS;
    openblas_set_num_threads(1);
    atomic_store(&nthreads, (int)v);
  }
  n = atomic_load(&nthreads);
  pthread_mutex_unlock(&submit_mu);
  return n;
}

void cv_set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  pthread_mutex_lock(&submit_mu);
  openblas_set_num_threads(1);
  atomic_store(&nthreads, n);
  pthread_mutex_unlock(&submit_mu);
}

void cv_parallel_for(int64_t n, int64_t grain, cv_range_fn fn, void *ctx) {
  int64_t chunks = cv_parallel_chunks(n, grain);
  if (chunks == 0) return;
  if (grain < 1) grain = 1;
  int want = cv_get_num_threads();
  if (in_worker || want <= 1 || chunks == 1) {
    for (int64_t c = 0; c < chunks; c++) {
      int64_t b = c * grain, e = b + grain;
      fn(ctx, b, e > n ? n : e);
    }
    return;
  }
  pthread_mutex_lock(&submit_mu);
  int helpers = want - 1;
  if (helpers > chunks - 1) helpers = (int)(chunks - 1);
  pthread_mutex_lock(&mu);
  while (nworkers < helpers) {
    if (pthread_create(&workers[nworkers], NULL, worker_main, (void *)(intptr_t)nworkers) != 0) break;
    pthread_detach(workers[nworkers]);
    nworkers++;
  }
  if (helpers > nworkers) helpers = nworkers;
  job_fn = fn; job_ctx = ctx; job_n = n; job_grain = grain; job_chunks = chunks;
  atomic_store(&job_next, 0);
  job_active_workers = helpers;
  job_running = 0;
  job_open = 1;
  job_gen++;
  atomic_store_explicit(&gen_seen, job_gen, memory_order_release);
  pthread_cond_broadcast(&work_cv);
  pthread_mutex_unlock(&mu);
  in_worker = 1;
  run_chunks();
  in_worker = 0;
  pthread_mutex_lock(&mu);
  job_open = 0;  /* every chunk is claimed: late workers skip this job */
  if (job_running > 0) {  /* a worker is finishing its last chunk: usually a short wait */
    pthread_mutex_unlock(&mu);
    spin_until_zero(&running_seen);
    pthread_mutex_lock(&mu);
  }
  while (job_running > 0) pthread_cond_wait(&done_cv, &mu);
  pthread_mutex_unlock(&mu);
  pthread_mutex_unlock(&submit_mu);
}

int cv_thread_index(void) { return thread_index; }
