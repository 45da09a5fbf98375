/* threadpool.h - the one pool of worker threads of cvision. Kernels split their outer loop with
 * cv_parallel_for; OpenBLAS is kept single-threaded (cv_set_num_threads does that) so its threads
 * never fight ours. Work is split into ranges that depend only on n and the grain, never on the
 * thread count, so any per-range partial results combined in range order are identical for 1 or
 * N threads. */
#ifndef CV_THREADPOOL_H
#define CV_THREADPOOL_H

#include <stdint.h>

/* fn(ctx, begin, end) handles indices [begin, end). */
typedef void (*cv_range_fn)(void *ctx, int64_t begin, int64_t end);

/* Number of threads cvision uses (>= 1). The first call reads CVISION_NUM_THREADS, else the
 * number of online CPUs. */
int cv_get_num_threads(void);
/* Sets the thread count (n < 1 means 1) for cvision's pool and pins OpenBLAS to one thread. */
void cv_set_num_threads(int n);
/* Runs fn over [0, n) in chunks of `grain` indices (the last may be shorter), spread over the
 * pool; returns when all chunks are done. Calls from inside a worker run serially. */
void cv_parallel_for(int64_t n, int64_t grain, cv_range_fn fn, void *ctx);
/* The number of chunks cv_parallel_for(n, grain, ...) makes, and chunk i's range. */
int64_t cv_parallel_chunks(int64_t n, int64_t grain);
/* The calling thread's index: 0 outside the pool, 1 .. CV_MAX_THREADS-1 for the pool's workers
 * (a cv_workspace keeps one region per index). */
#define CV_MAX_THREADS 64
int cv_thread_index(void);

#endif
