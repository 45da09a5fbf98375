/* hanzi_page.c - phase 5 of the handwriting renderer (hanzi_impl.h): the supersampled coverage down
 * to pixels, blurred as a scan or a photo is, then ink on a toned page with uneven light, paper
 * texture (a coarse random grain), pixel noise and specks of dust. */
#include "data/hanzi_impl.h"
#include <stdlib.h>

static void downsample(float *img, const float *cov, int H, int W) {
  int WS = W * HZ_SS;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float acc = 0.0f;
      for (int u = 0; u < HZ_SS; u++)
        for (int v = 0; v < HZ_SS; v++) acc += cov[(size_t)(y * HZ_SS + u) * WS + x * HZ_SS + v];
      img[y * W + x] = acc / (HZ_SS * HZ_SS);
    }
}

/* one blurred line: out[i] = sum_k k[k+3] in[(i+k)*step], taps outside 0..n-1 dropped; the
 * interior without bounds checks */
static void blur_line(float *out, const float *in, int n, int step, const float *k) {
  for (int i = 0; i < n; i++) {
    float a = 0.0f;
    if (i >= 3 && i + 3 < n) {
      const float *p = in + (size_t)(i - 3) * step;
      for (int t = 0; t < 7; t++) a += k[t] * p[(size_t)t * step];
    } else {
      for (int t = -3; t <= 3; t++) if (i + t >= 0 && i + t < n) a += k[t + 3] * in[(size_t)(i + t) * step];
    }
    out[(size_t)i * step] = a;
  }
}

/* separable Gaussian blur of img (H, W) with radius 3 (sigma <= ~1.5), tmp as scratch */
static void blur(float *img, float *tmp, int H, int W, float sigma) {
  float k[7], ks = 0.0f;
  for (int i = -3; i <= 3; i++) { k[i + 3] = expf(-0.5f * i * i / (sigma * sigma)); ks += k[i + 3]; }
  for (int i = 0; i < 7; i++) k[i] /= ks;
  for (int y = 0; y < H; y++) blur_line(tmp + (size_t)y * W, img + (size_t)y * W, W, 1, k);
  for (int x = 0; x < W; x++) blur_line(img + x, tmp + x, H, W, k);
}

/* paper grain: values on a grid every 4 px, interpolated bilinearly, into tmp (H, W) */
static void grain(float *tmp, int H, int W, float amp, cv_rng *r) {
  int gh = H / 4 + 2, gw = W / 4 + 2;
  float *g = malloc((size_t)gh * gw * sizeof *g);
  if (!g) { for (int i = 0; i < H * W; i++) tmp[i] = 0.0f; return; }
  for (int i = 0; i < gh * gw; i++) g[i] = hz_gauss(r, amp);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int i = y / 4, j = x / 4;
      float v = (y % 4) / 4.0f, u = (x % 4) / 4.0f;
      tmp[y * W + x] = (1 - v) * ((1 - u) * g[i * gw + j] + u * g[i * gw + j + 1]) +
                       v * ((1 - u) * g[(i + 1) * gw + j] + u * g[(i + 1) * gw + j + 1]);
    }
  free(g);
}

static void tone(uint8_t *o8, const float *img, const float *tex, int H, int W, const hz_writer *w, cv_rng *r) {
  float ink = hz_clamp(w->ink + hz_gauss(r, 12.0f), 0.0f, 110.0f);
  if (cv_rng_next_uniform(r) < 0.08f) ink = hz_unif(r, 80.0f, 150.0f);   /* faint pencil-like ink */
  float paper = hz_clamp(w->paper + hz_gauss(r, 4.0f), 200.0f, 255.0f);
  float gx = hz_gauss(r, 8.0f) / W, gy = hz_gauss(r, 8.0f) / H;          /* uneven light across the page */
  float noise = hz_unif(r, 0.0f, 5.0f), gamma = expf(hz_gauss(r, 0.25f));
  float lut[257];                                /* coverage^gamma at 256 steps, interpolated */
  for (int i = 0; i <= 256; i++) lut[i] = powf((float)i / 256.0f, gamma);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float cc = hz_clamp(img[y * W + x], 0.0f, 1.0f) * 256.0f;
      int ci = (int)cc < 256 ? (int)cc : 255;
      float c = lut[ci] + (cc - ci) * (lut[ci + 1] - lut[ci]);
      float p = fminf(paper + gx * (x - 0.5f * W) + gy * (y - 0.5f * H) + (tex ? tex[y * W + x] : 0.0f), 255.0f);
      /* the sum of four 16-bit uniforms from one draw: ~N(0, 1/3), cheaper than Box-Muller */
      uint64_t b = cv_rng_next(r);
      float u = ((float)(b & 0xffff) + (float)((b >> 16) & 0xffff) + (float)((b >> 32) & 0xffff) +
                 (float)(b >> 48)) * (1.0f / 65536.0f) - 2.0f;
      float v = p - (p - ink) * c + 1.73f * noise * u;
      o8[y * W + x] = (uint8_t)(hz_clamp(v, 0.0f, 255.0f) + 0.5f);
    }
  if (cv_rng_next_uniform(r) < 0.15f) {                                  /* specks of dust */
    int nsp = 1 + (int)(cv_rng_next(r) % 6);
    for (int i = 0; i < nsp; i++) {
      int x = (int)(cv_rng_next(r) % (uint32_t)W), y = (int)(cv_rng_next(r) % (uint32_t)H);
      o8[y * W + x] = (uint8_t)lroundf(hz_unif(r, ink, paper * 0.8f));
    }
  }
}

cv_status hz_page(cv_tensor *out, const float *cov, int H, int W, const hz_writer *w, cv_rng *r) {
  float *img = malloc((size_t)H * W * sizeof *img), *tmp = malloc((size_t)H * W * sizeof *tmp);
  int64_t shape[3] = {H, W, 1};
  cv_status st = img && tmp ? cv_tensor_alloc(out, CV_UINT8, 3, shape) : CV_ENOMEM;
  if (st == CV_OK) {
    downsample(img, cov, H, W);
    float sigma = hz_clamp(w->blur * expf(hz_gauss(r, 0.25f)), 0.2f, 1.5f);
    if (sigma > 0.35f) blur(img, tmp, H, W, sigma);
    if (w->texture > 0.0f) grain(tmp, H, W, w->texture, r);
    tone(cv_tensor_u8(out), img, w->texture > 0.0f ? tmp : NULL, H, W, w, r);
  }
  free(img);
  free(tmp);
  return st;
}
