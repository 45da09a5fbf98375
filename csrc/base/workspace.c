/* workspace.c - cv_workspace (see workspace.h): rows of regions indexed by cv_thread_index, a
 * row allocated by the thread it belongs to on its first request, so threads never write to the
 * same memory; regions grow (free + aligned_alloc) and never shrink until released. */
#include "base/workspace.h"
#include "base/threadpool.h"
#include <stdlib.h>

typedef struct region { void *p; size_t cap; } region;

struct cv_workspace {
  region *rows[CV_MAX_THREADS];
};

cv_workspace *cv_workspace_new(void) {
  return calloc(1, sizeof(cv_workspace));
}

void cv_workspace_release(cv_workspace *ws) {
  if (!ws) return;
  for (int t = 0; t < CV_MAX_THREADS; t++) {
    if (!ws->rows[t]) continue;
    for (int s = 0; s < CV_WS_SLOTS; s++) free(ws->rows[t][s].p);
    free(ws->rows[t]);
    ws->rows[t] = NULL;
  }
}

void cv_workspace_free(cv_workspace *ws) {
  cv_workspace_release(ws);
  free(ws);
}

static void *get(cv_workspace *ws, int slot, size_t bytes) {
  int t = cv_thread_index();
  if (slot < 0 || slot >= CV_WS_SLOTS || t < 0 || t >= CV_MAX_THREADS) return NULL;
  region *row = ws->rows[t];
  if (!row && !(row = ws->rows[t] = calloc(CV_WS_SLOTS, sizeof(region)))) return NULL;
  region *r = &row[slot];
  if (!r->p || r->cap < bytes) {
    size_t n = (bytes + 63) & ~(size_t)63;
    free(r->p);
    r->p = aligned_alloc(64, n ? n : 64);
    r->cap = r->p ? n : 0;
  }
  return r->p;
}

float *cv_workspace_floats(cv_workspace *ws, int slot, size_t n) {
  return get(ws, slot, n * sizeof(float));
}

int *cv_workspace_ints(cv_workspace *ws, int slot, size_t n) {
  return get(ws, slot, n * sizeof(int));
}

size_t cv_workspace_bytes(const cv_workspace *ws) {
  size_t total = 0;
  for (int t = 0; ws && t < CV_MAX_THREADS; t++)
    for (int s = 0; ws->rows[t] && s < CV_WS_SLOTS; s++) total += ws->rows[t][s].cap;
  return total;
}
