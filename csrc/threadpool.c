/* threadpool.c - a fixed pool of pthreads handing out chunk indices with an atomic counter
 * (see threadpool.h). The calling thread works too, so n threads means n-1 workers. */
#include "threadpool.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 64

void openblas_set_num_threads(int n);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t submit_mu = PTHREAD_MUTEX_INITIALIZER;

static atomic_int nthreads;       /* 0 = not yet decided; read without the lock once set */
static int nworkers = 0;          /* started worker threads */
static pthread_t workers[MAX_THREADS];
static _Thread_local int in_worker = 0;

/* the job being run */
static cv_range_fn job_fn;
static void *job_ctx;
static int64_t job_n, job_grain, job_chunks;
static atomic_llong job_next;
static int job_active_workers;     /* workers allowed on this job */
static int job_running;            /* workers still inside this job */
static unsigned long job_gen;

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
  pthread_mutex_lock(&mu);
  for (;;) {
    while (job_gen == seen) pthread_cond_wait(&work_cv, &mu);
    seen = job_gen;
    if (id >= job_active_workers) continue;
    pthread_mutex_unlock(&mu);
    run_chunks();
    pthread_mutex_lock(&mu);
    if (--job_running == 0) pthread_cond_signal(&done_cv);
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
  job_running = helpers;
  job_gen++;
  pthread_cond_broadcast(&work_cv);
  pthread_mutex_unlock(&mu);
  in_worker = 1;
  run_chunks();
  in_worker = 0;
  pthread_mutex_lock(&mu);
  while (job_running > 0) pthread_cond_wait(&done_cv, &mu);
  pthread_mutex_unlock(&mu);
  pthread_mutex_unlock(&submit_mu);
}
