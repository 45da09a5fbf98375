/* winograd_avx2.h - 3x3 stride-1 convolution of one sample by Winograd's minimal filtering
 * F(2x2, 3x3) (Lavin & Gray 2015): each 2x2 output tile costs 16 multiply-adds per (channel,
 * filter) instead of 36. Reached through the AVX2 dispatch table (base/dispatch.h); C and F
 * must be multiples of 8, C <= 384.
 * nn/conv/conv_winograd.c uses it for the forward pass, for dx (the convolution of the padded dz with the flipped
 * kernel) and, as F(3x3, 2x2), for dw; cv_conv2d_forward_ref and cv_conv2d_backward_ref are the
 * twins the tests compare it with (csrc/tests/test_winograd.c). */
#ifndef CV_WINOGRAD_AVX2_H
#define CV_WINOGRAD_AVX2_H

#include "base/workspace.h"
#include <stddef.h>

/* floats of the transformed, packed kernel of a (3,3,C,F) weight */
size_t cv_winograd_avx2_packed_size(int C, int F);
/* w (3,3,C,F) -> u (cv_winograd_avx2_packed_size floats, 32-byte aligned): the 16 matrices
 * G w G^T (C,F), each packed for the AVX2 kernel; tmp holds 16*C*F floats of scratch */
void cv_winograd_avx2_pack(float *u, float *tmp, const float *w, int C, int F);
/* the input rows and columns a (OH,OW) output needs: 2*ceil(OH/2) + 2 by 2*ceil(OW/2) + 2 */
int cv_winograd_padded(int out);
/* y (OH,OW,F) (row stride F) = relu?(conv3x3(xp, w) + bias) for xp (>= cv_winograd_padded(OH)
 * rows, row stride Wp*C, C) the zero-padded sample, u from cv_winograd_avx2_pack, bias (F) or
 * NULL; scratch in ws (slot CV_WS_WINO_V; NULL: allocated for this call). Returns 0, or -1 when
 * its scratch cannot be allocated (y untouched). */
int cv_winograd_avx2_conv(float *y, const float *xp, int Wp, int C, int OH, int OW, const float *u,
                          int F, const float *bias, int relu, cv_workspace *ws);

/* The weight gradient by F(3x3, 2x2): m (cv_winograd_avx2_dw_size floats, zeroed by the caller)
 * += one sample's transformed products, for xp padded as for cv_winograd_avx2_conv and dy (OH,OW,F)
 * masked by ymask > 0 (the ReLU's gradient; NULL: no mask); db (F) += the masked dy (NULL: not
 * needed); scratch in ws (slots CV_WS_WINO_V/U; NULL: allocated for this call). Returns 0, or -1
 * when its scratch cannot be allocated. */
size_t cv_winograd_avx2_dw_size(int C, int F);
int cv_winograd_avx2_dw_acc(float *m, const float *xp, int Wp, int C, int OH, int OW, const float *dy,
                            const float *ymask, int F, float *db, cv_workspace *ws);
/* dw (3,3,C,F) (overwritten) from the summed m */
void cv_winograd_avx2_dw_finish(float *dw, const float *m, int C, int F);

#endif
