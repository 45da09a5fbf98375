/* workspace.h - cv_workspace, the scratch memory of a call or of a layer: a grow-only arena with
 * one row of regions per thread index (cv_thread_index), each region named by a slot below.
 * Kernels that need scratch take a cv_workspace * as their last parameter; NULL means "make a
 * workspace for this call and free it before returning" (same results, more allocation). A layer
 * that keeps one workspace across batches allocates nothing after its first batch.
 * Contract: a workspace is used by one call at a time (its caller's thread plus the pool's
 * workers, each in its own row); region contents are undefined on each get (scratch, never
 * state); a pointer stays valid until the same thread asks the same slot for more bytes, or the
 * workspace is released. */
#ifndef CV_WORKSPACE_H
#define CV_WORKSPACE_H

#include <stddef.h>

typedef struct cv_workspace cv_workspace;

/* the regions, one per use: a kernel owns its slots; a kernel that calls another (conv -> gemm)
 * uses different slots than its callee, so both can be live at once */
enum cv_ws_slot {
  CV_WS_GEMM_PACK,        /* simd/gemm_avx2.c: B packed into panels */
  CV_WS_WINO_V,           /* simd/winograd_avx2.c: transformed input tiles */
  CV_WS_WINO_U,           /* simd/winograd_avx2.c: dW's transformed products */
  CV_WS_CONV_COL,         /* nn/conv: im2col / dcol of one sample */
  CV_WS_CONV_DZ,          /* nn/conv: dz = dy masked by the ReLU */
  CV_WS_CONV_PART,        /* nn/conv: dw/db partial sums per chunk (calling thread) */
  CV_WS_CONV_PAD,         /* nn/conv: padded sample(s) */
  CV_WS_CONV_PACK,        /* nn/conv: packed weights (forward, calling thread) */
  CV_WS_CONV_PACK2,       /* nn/conv: packed flipped/transposed kernel (backward, calling thread) */
  CV_WS_CONV_FLIP,        /* nn/conv: flipped/transposed kernel before packing (calling thread) */
  CV_WS_CONV_DZP,         /* nn/conv: padded dz */
  CV_WS_CONV_YSAMPLE,     /* nn/conv: one sample's output when only the pooled output is kept */
  CV_WS_CONV_GCHUNK,      /* nn/conv: a chunk's dy made from the pooled gradient */
  CV_WS_CONV_WTMP,        /* nn/conv: Winograd kernel transform temporary (calling thread) */
  CV_WS_CONV_WINO,        /* nn/conv: the Winograd-transformed kernel (calling thread) */
  CV_WS_CONV_WDW,         /* nn/conv: Winograd dW accumulator */
  CV_WS_CONV_KOFF,        /* nn/conv: window offsets (ints, calling thread) */
  CV_WS_CONV_KOFF2,
  CV_WS_CONV_AOFF,
  CV_WS_CONV_AOFF2,
  CV_WS_DENSE_PART,       /* nn/dense: the K slices' partial sums (calling thread) */
  CV_WS_SLOTS
};

/* a new empty workspace (nothing allocated until asked); NULL when out of memory */
cv_workspace *cv_workspace_new(void);
/* frees every region and the workspace (NULL: nothing) */
void cv_workspace_free(cv_workspace *ws);
/* frees every region, keeps the (empty) workspace usable */
void cv_workspace_release(cv_workspace *ws);
/* the calling thread's region `slot`, at least n floats (ints), 64-byte aligned; NULL when out
 * of memory */
float *cv_workspace_floats(cv_workspace *ws, int slot, size_t n);
int *cv_workspace_ints(cv_workspace *ws, int slot, size_t n);
/* bytes held by all regions (for stats and tests) */
size_t cv_workspace_bytes(const cv_workspace *ws);

#endif
