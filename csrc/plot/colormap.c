/* colormap.c - matplotlib's colour maps as lookup tables, sampled as matplotlib samples them. The
 * listed maps (viridis, plasma, magma, inferno, cividis, twilight) are matplotlib's published tables
 * (colormap_data.c, colormap_twilight.c); Greys, Blues, Greens, Reds, RdYlGn and RdBu are the
 * ColorBrewer lists that matplotlib interpolates linearly (LinearSegmentedColormap, N = 256); jet and
 * coolwarm are matplotlib's segment data; gray is the ramp i/255; tab10 and tab20 are matplotlib's
 * qualitative ListedColormaps of 10 and 20 colours, never blended; NAME_r is NAME reversed. */
#include "plot/colormap.h"
#include "plot/colormap_data.h"
#include <math.h>
#include <string.h>

/* ColorBrewer anchors (matplotlib's _Greys_data, _Blues_data, _RdYlGn_data, _Greens_data, _Reds_data). */
static const uint32_t greys_anchor[] = {0xffffff, 0xf0f0f0, 0xd9d9d9, 0xbdbdbd, 0x969696,
                                        0x737373, 0x525252, 0x252525, 0x000000};
static const uint32_t blues_anchor[] = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
                                        0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
static const uint32_t rdylgn_anchor[] = {0xa50026, 0xd73027, 0xf46d43, 0xfdae61, 0xfee08b, 0xffffbf,
                                         0xd9ef8b, 0xa6d96a, 0x66bd63, 0x1a9850, 0x006837};
static const uint32_t greens_anchor[] = {0xf7fcf5, 0xe5f5e0, 0xc7e9c0, 0xa1d99b, 0x74c476,
                                         0x41ab5d, 0x238b45, 0x006d2c, 0x00441b};
static const uint32_t reds_anchor[] = {0xfff5f0, 0xfee0d2, 0xfcbba1, 0xfc9272, 0xfb6a4a,
                                       0xef3b2c, 0xcb181d, 0xa50f15, 0x67000d};

static const uint32_t rdbu_anchor[] = {0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7,
                                       0xd1e5f0, 0x92c5de, 0x4393c3, 0x2166ac, 0x053061};

/* matplotlib's _tab10_data and _tab20_data (Tableau's categorical colours); tab10 is the colour cycle */
static const uint32_t tab10_colors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
                                        0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
static const uint32_t tab20_colors[] = {0x1f77b4, 0xaec7e8, 0xff7f0e, 0xffbb78, 0x2ca02c, 0x98df8a,
                                        0xd62728, 0xff9896, 0x9467bd, 0xc5b0d5, 0x8c564b, 0xc49c94,
                                        0xe377c2, 0xf7b6d2, 0x7f7f7f, 0xc7c7c7, 0xbcbd22, 0xdbdb8d,
                                        0x17becf, 0x9edae5};

/* matplotlib's _jet_data: per channel, (x, value) points joined linearly */
typedef struct { double x, v; } seg_point;
static const seg_point jet_r[] = {{0, 0}, {0.35, 0}, {0.66, 1}, {0.89, 1}, {1, 0.5}};
static const seg_point jet_g[] = {{0, 0}, {0.125, 0}, {0.375, 1}, {0.64, 1}, {0.91, 0}, {1, 0}};
static const seg_point jet_b[] = {{0, 0.5}, {0.11, 1}, {0.34, 1}, {0.65, 0}, {1, 0}};

static uint8_t to_byte(double v) {
  /* matplotlib converts its float table with (lut * 255).astype(uint8): truncation */
  if (v <= 0) return 0;
  if (v >= 1) return 255;
  return (uint8_t)(v * 255.0 + 1e-9);
}

static void build_listed(cv_colormap *m, const double (*data)[3], int n) {
  m->n = n;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) m->rgb[i][k] = to_byte(data[i][k]);
}

/* a qualitative ListedColormap: its n colours as they are, one entry each */
static void build_colors(cv_colormap *m, const uint32_t *colors, int n) {
  m->n = n;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) m->rgb[i][k] = (uint8_t)(colors[i] >> (16 - 8 * k));
}

static void build_anchor(cv_colormap *m, const uint32_t *anchor, int n) {
  m->n = 256;
  for (int i = 0; i < 256; i++) {
    double x = i / 255.0 * (n - 1);
    int j = (int)floor(x);
    if (j >= n - 1) j = n - 2;
    double f = x - j;
    for (int k = 0; k < 3; k++) {
      int sh = 16 - 8 * k;
      double a = ((anchor[j] >> sh) & 0xff) / 255.0, b = ((anchor[j + 1] >> sh) & 0xff) / 255.0;
      m->rgb[i][k] = to_byte(a + (b - a) * f);
    }
  }
}

static double segment_value(const seg_point *p, int n, double x) {
  for (int i = 1; i < n; i++)
    if (x <= p[i].x) return p[i - 1].v + (p[i].v - p[i - 1].v) * (x - p[i - 1].x) / (p[i].x - p[i - 1].x);
  return p[n - 1].v;
}

static void build_segments(cv_colormap *m, const seg_point *const ch[3], const int n[3]) {
  m->n = 256;
  for (int i = 0; i < 256; i++)
    for (int k = 0; k < 3; k++) m->rgb[i][k] = to_byte(segment_value(ch[k], n[k], i / 255.0));
}

/* rows of (x, r, g, b) sharing x, joined linearly: matplotlib's _create_lookup_table, with its
 * order of operations, at x = i / 255 */
static void build_rows(cv_colormap *m, const double (*rows)[4], int n) {
  m->n = 256;
  for (int i = 0; i < 256; i++) {
    double x = i / 255.0;
    int j = 1;
    while (j < n - 1 && rows[j][0] < x) j++;
    double f = (x - rows[j - 1][0]) / (rows[j][0] - rows[j - 1][0]);
    for (int k = 1; k <= 3; k++)
      m->rgb[i][k - 1] = to_byte(f * (rows[j][k] - rows[j - 1][k]) + rows[j - 1][k]);
  }
}

static void build_gray(cv_colormap *m) {
  m->n = 256;
  for (int i = 0; i < 256; i++) m->rgb[i][0] = m->rgb[i][1] = m->rgb[i][2] = (uint8_t)i;
}

/* matplotlib's twilight_shifted: twilight's second half then its first, reversed */
static void build_twilight_shifted(cv_colormap *m) {
  m->n = 510;
  for (int i = 0; i < 510; i++)
    for (int k = 0; k < 3; k++) m->rgb[i][k] = to_byte(cv_colormap_twilight[(764 - i) % 510][k]);
}

/* every map, then each under its name + "_r", reversed, as matplotlib registers them */
static const char *const names[] = {
  "viridis", "plasma", "inferno", "magma", "cividis", "gray", "grey", "Greys", "Blues", "Greens", "Reds",
  "RdYlGn", "RdBu", "coolwarm", "twilight", "twilight_shifted", "jet", "tab10", "tab20",
  "viridis_r", "plasma_r", "inferno_r", "magma_r", "cividis_r", "gray_r", "grey_r", "Greys_r", "Blues_r",
  "Greens_r", "Reds_r", "RdYlGn_r", "RdBu_r", "coolwarm_r", "twilight_r", "twilight_shifted_r", "jet_r",
  "tab10_r", "tab20_r", NULL};

const char *const *cv_colormap_names(void) { return names; }

static int build_forward(cv_colormap *m, const char *name) {
  static const seg_point *const jet[3] = {jet_r, jet_g, jet_b};
  static const int jet_n[3] = {5, 6, 5};
  if (!strcmp(name, "viridis")) build_listed(m, cv_colormap_viridis, 256);
  else if (!strcmp(name, "plasma")) build_listed(m, cv_colormap_plasma, 256);
  else if (!strcmp(name, "inferno")) build_listed(m, cv_colormap_inferno, 256);
  else if (!strcmp(name, "magma")) build_listed(m, cv_colormap_magma, 256);
  else if (!strcmp(name, "cividis")) build_listed(m, cv_colormap_cividis, 256);
  else if (!strcmp(name, "gray") || !strcmp(name, "grey")) build_gray(m);
  else if (!strcmp(name, "Greys")) build_anchor(m, greys_anchor, 9);
  else if (!strcmp(name, "Blues")) build_anchor(m, blues_anchor, 9);
  else if (!strcmp(name, "Greens")) build_anchor(m, greens_anchor, 9);
  else if (!strcmp(name, "Reds")) build_anchor(m, reds_anchor, 9);
  else if (!strcmp(name, "RdYlGn")) build_anchor(m, rdylgn_anchor, 11);
  else if (!strcmp(name, "RdBu")) build_anchor(m, rdbu_anchor, 11);
  else if (!strcmp(name, "coolwarm")) build_rows(m, cv_colormap_coolwarm, 33);
  else if (!strcmp(name, "twilight")) build_listed(m, cv_colormap_twilight, 510);
  else if (!strcmp(name, "twilight_shifted")) build_twilight_shifted(m);
  else if (!strcmp(name, "jet")) build_segments(m, jet, jet_n);
  else if (!strcmp(name, "tab10")) build_colors(m, tab10_colors, 10);
  else if (!strcmp(name, "tab20")) build_colors(m, tab20_colors, 20);
  else return 0;
  return 1;
}

/* the error names every map: the names without "_r", in the list's order */
static cv_status unknown(const char *name) {
  char known[400];
  size_t len = 0;
  known[0] = 0;
  for (int i = 0; names[i]; i++) {
    size_t n = strlen(names[i]);
    if (n > 2 && !strcmp(names[i] + n - 2, "_r")) continue;
    if (len + n + 3 >= sizeof known) break;
    if (len) { memcpy(known + len, ", ", 2); len += 2; }
    memcpy(known + len, names[i], n + 1);
    len += n;
  }
  return cv_fail(CV_EINVAL, "unknown colour map '%s' (known: %s, each also reversed as NAME_r)", name, known);
}

cv_status cv_colormap_get(cv_colormap *m, const char *name) {
  if (build_forward(m, name)) return CV_OK;
  size_t n = strlen(name);
  char base[32];
  if (n > 2 && n - 2 < sizeof base && !strcmp(name + n - 2, "_r")) {
    memcpy(base, name, n - 2);
    base[n - 2] = 0;
    if (build_forward(m, base)) {
      for (int i = 0; i < m->n / 2; i++)
        for (int k = 0; k < 3; k++) {
          uint8_t t = m->rgb[i][k];
          m->rgb[i][k] = m->rgb[m->n - 1 - i][k];
          m->rgb[m->n - 1 - i][k] = t;
        }
      return CV_OK;
    }
  }
  return unknown(name);
}

int cv_colormap_index(const cv_colormap *m, double v, double vmin, double vmax) {
  /* matplotlib's Normalize then Colormap.__call__: x = (v - vmin) / (vmax - vmin); i = floor(x * N),
   * x == 1 maps to N - 1, outside [0, 1] clips (the default under/over colours are the ends). */
  double x = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.0;
  if (isnan(x)) return 0;
  double xi = x * m->n;
  if (xi < 0) return 0;
  if (xi >= m->n - 1) return m->n - 1;
  return (int)xi;
}

void cv_colormap_apply(uint8_t *rgba, const float *values, int64_t n, const cv_colormap *m,
                       double vmin, double vmax) {
  for (int64_t i = 0; i < n; i++) {
    int j = cv_colormap_index(m, values[i], vmin, vmax);
    rgba[4 * i + 0] = m->rgb[j][0];
    rgba[4 * i + 1] = m->rgb[j][1];
    rgba[4 * i + 2] = m->rgb[j][2];
    rgba[4 * i + 3] = 255;
  }
}
