/* test_raster.c - the canvas primitives: exact-area coverage of fills and antialiased lines,
 * alpha blending, scaled image drawing, PNG encoding, colour maps and text ink. */
#include "cvision.h"
#include "plot/raster.h"
#include "plot/font.h"
#include "plot/colormap.h"
#include "ctest.h"
#include <stdlib.h>
#include <string.h>

static const cv_color WHITE = {255, 255, 255, 255}, BLACK = {0, 0, 0, 255}, RED = {255, 0, 0, 255};

static const uint8_t *px(const cv_canvas *c, int x, int y) {
  return c->rgba + ((size_t)y * c->width + x) * 4;
}

/* darkness of pixel (x, y) on a white canvas drawn in black, in [0, 1] */
static double dark(const cv_canvas *c, int x, int y) { return 1.0 - px(c, x, y)[0] / 255.0; }

/* fills on a 20x10 canvas: exact coverage, blending, unions, orientation, clipping */
static void test_fills(void) {
  cv_canvas c;
  CHECK(cv_canvas_init(&c, 20, 10, WHITE) == CV_OK, "init");
  CHECK(px(&c, 19, 9)[0] == 255 && px(&c, 19, 9)[3] == 255, "cleared to white");
  cv_canvas bad;
  CHECK(cv_canvas_init(&bad, 0, 5, WHITE) == CV_EINVAL && bad.rgba == NULL, "bad size refused, empty");

  /* a rectangle on whole pixels fills exactly those pixels */
  cv_canvas_fill_rect(&c, 2, 3, 4, 2, RED);
  CHECK(memcmp(px(&c, 2, 3), "\xff\x00\x00\xff", 4) == 0, "inside filled");
  CHECK(memcmp(px(&c, 5, 4), "\xff\x00\x00\xff", 4) == 0, "last pixel filled");
  CHECK(px(&c, 6, 3)[1] == 255 && px(&c, 2, 5)[1] == 255 && px(&c, 1, 3)[1] == 255, "outside untouched");

  /* half a pixel of coverage blends half way */
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_rect(&c, 10.5f, 0, 3, 10, BLACK);
  CHECK_CLOSE(dark(&c, 10, 5), 0.5, 0.01, 0, "left edge half covered");
  CHECK_CLOSE(dark(&c, 11, 5), 1.0, 0.01, 0, "interior full");
  CHECK_CLOSE(dark(&c, 13, 5), 0.5, 0.01, 0, "right edge half covered");
  CHECK_CLOSE(dark(&c, 14, 5), 0.0, 0.01, 0, "beyond");

  /* alpha blending: 50% red over white */
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_rect(&c, 0, 0, 5, 5, (cv_color){255, 0, 0, 128});
  CHECK(px(&c, 2, 2)[0] == 255 && abs(px(&c, 2, 2)[1] - 127) <= 1, "alpha 0.5 gives pink (%d)", px(&c, 2, 2)[1]);
  /* two overlapping pieces of one polygon set do not darken twice */
  float two[16] = {0, 0, 6, 0, 6, 6, 0, 6, 3, 0, 9, 0, 9, 6, 3, 6};
  int counts[2] = {4, 4};
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_polygons(&c, two, counts, 2, (cv_color){0, 0, 0, 128});
  CHECK(abs(px(&c, 4, 3)[0] - px(&c, 1, 3)[0]) <= 1, "union: overlap as light as the rest");
  /* a polygon given clockwise fills the same as counter-clockwise */
  float cw[8] = {0, 0, 0, 6, 6, 6, 6, 0};
  int four = 4;
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_polygons(&c, cw, &four, 1, BLACK);
  CHECK(px(&c, 3, 3)[0] == 0, "clockwise polygon filled");
  /* shapes partly outside the canvas are clipped, not wrapped */
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_rect(&c, -5, -5, 8, 8, BLACK);
  CHECK(px(&c, 0, 0)[0] == 0 && px(&c, 2, 2)[0] == 0 && px(&c, 3, 3)[0] == 255, "clipped at the corner");
  CHECK(px(&c, 19, 0)[0] == 255, "no wrap to the right edge");
  cv_canvas_free(&c);
}

/* strokes, discs, image drawing and PNG encoding on a 40x40 canvas */
static void test_strokes(void) {
  cv_canvas c;
  /* antialiased line: a 1-pixel horizontal line on a half-pixel row fills that row;
   * on a whole-pixel boundary it splits over two rows */
  CHECK(cv_canvas_init(&c, 40, 40, WHITE) == CV_OK, "init 40");
  float h1[4] = {5, 10.5f, 35, 10.5f};
  cv_canvas_stroke(&c, h1, 2, 1.0f, BLACK, CV_CAP_BUTT, NULL, 0);
  CHECK_CLOSE(dark(&c, 20, 10), 1.0, 0.01, 0, "centred line full");
  CHECK_CLOSE(dark(&c, 20, 9), 0.0, 0.01, 0, "row above clean");
  float h2[4] = {5, 20, 35, 20};
  cv_canvas_stroke(&c, h2, 2, 1.0f, BLACK, CV_CAP_BUTT, NULL, 0);
  CHECK_CLOSE(dark(&c, 20, 19), 0.5, 0.02, 0, "boundary line: half above");
  CHECK_CLOSE(dark(&c, 20, 20), 0.5, 0.02, 0, "boundary line: half below");
  /* a diagonal: total ink along a column equals width * sqrt(2) */
  cv_canvas_clear(&c, WHITE);
  float d[4] = {0, 0, 40, 40};
  cv_canvas_stroke(&c, d, 2, 2.0f, BLACK, CV_CAP_BUTT, NULL, 0);
  double col = 0;
  for (int y = 0; y < 40; y++) col += dark(&c, 20, y);
  CHECK_CLOSE(col, 2.0 * 1.41421356, 0.05, 0, "diagonal coverage per column");
  CHECK(dark(&c, 20, 20) > 0.9 && dark(&c, 0, 39) < 0.01 && dark(&c, 39, 0) < 0.01,
        "on the diagonal, corners clean");
  /* a polyline's joints are not darker than its segments (half alpha) */
  cv_canvas_clear(&c, WHITE);
  float pl[6] = {5, 30, 20, 30, 20, 5};
  cv_canvas_stroke(&c, pl, 3, 4.0f, (cv_color){0, 0, 0, 128}, CV_CAP_BUTT, NULL, 0);
  CHECK(abs(px(&c, 20, 30)[0] - px(&c, 12, 30)[0]) <= 2, "joint as light as segment");
  /* dashes leave gaps */
  cv_canvas_clear(&c, WHITE);
  float dl[4] = {0, 5.5f, 40, 5.5f};
  float dash[2] = {4, 4};
  cv_canvas_stroke(&c, dl, 2, 1.0f, BLACK, CV_CAP_BUTT, dash, 2);
  CHECK(dark(&c, 1, 5) > 0.9 && dark(&c, 5, 5) < 0.1 && dark(&c, 9, 5) > 0.9, "dash on, off, on");
  /* circle area */
  cv_canvas_clear(&c, WHITE);
  cv_canvas_fill_circle(&c, 20, 20, 10, BLACK);
  double area = 0;
  for (int y = 0; y < 40; y++)
    for (int x = 0; x < 40; x++) area += dark(&c, x, y);
  CHECK_CLOSE(area, 3.14159265 * 100, 3.0, 0, "disc area");

  /* blit: a 2x2 image scaled to 20x20 with nearest */
  uint8_t img[16] = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 255};
  cv_canvas_clear(&c, WHITE);
  cv_canvas_draw_rgba(&c, img, 2, 2, 10, 10, 20, 20, CV_INTERP_NEAREST);
  CHECK(memcmp(px(&c, 12, 12), "\xff\x00\x00\xff", 4) == 0, "top-left red");
  CHECK(memcmp(px(&c, 27, 12), "\x00\xff\x00\xff", 4) == 0, "top-right green");
  CHECK(memcmp(px(&c, 12, 27), "\x00\x00\xff\xff", 4) == 0, "bottom-left blue");
  CHECK(memcmp(px(&c, 9, 12), "\xff\xff\xff\xff", 4) == 0 && px(&c, 30, 30)[0] == 255, "outside untouched");
  cv_canvas_clear(&c, WHITE);
  cv_canvas_draw_rgba(&c, img, 2, 2, 0, 0, 40, 40, CV_INTERP_BILINEAR);
  CHECK(abs(px(&c, 19, 5)[0] - 128) < 20 && abs(px(&c, 19, 5)[1] - 128) < 20, "bilinear midway mixes");
  CHECK(px(&c, 2, 2)[0] == 255 && px(&c, 2, 2)[1] == 0, "bilinear corner keeps its colour");

  /* PNG encoding */
  uint8_t *png;
  int len;
  CHECK(cv_canvas_encode_png(&c, &png, &len) == CV_OK && len > 50 && memcmp(png, "\x89PNG", 4) == 0, "png");
  free(png);
  cv_canvas_free(&c);
}

static void test_colormaps(void) {
  cv_colormap m;
  CHECK(cv_colormap_get(&m, "viridis") == CV_OK && m.n == 256, "viridis");
  CHECK(m.rgb[0][0] == 68 && m.rgb[0][1] == 1 && m.rgb[0][2] == 84, "viridis[0]");
  CHECK(m.rgb[255][0] == 253 && m.rgb[255][1] == 231 && m.rgb[255][2] == 36, "viridis[255]");
  CHECK(cv_colormap_index(&m, 0.5, 0, 1) == 128 && cv_colormap_index(&m, 1, 0, 1) == 255 &&
        cv_colormap_index(&m, -3, 0, 1) == 0, "matplotlib's index rule");
  CHECK(cv_colormap_get(&m, "nope") == CV_EINVAL, "unknown map");
}

static int rgb_is(const cv_colormap *m, int i, int r, int g, int b) {
  return m->rgb[i][0] == r && m->rgb[i][1] == g && m->rgb[i][2] == b;
}

/* the maps past the first ones: matplotlib's bytes (cmap(i, bytes=True)) at both ends and the middle */
static void test_colormaps_more(void) {
  static const struct { const char *name; int n, rgb[3][3]; } want[] = {
    {"plasma", 256, {{12, 7, 134}, {203, 71, 119}, {239, 248, 33}}},
    {"inferno", 256, {{0, 0, 3}, {187, 55, 84}, {252, 254, 164}}},
    {"magma", 256, {{0, 0, 3}, {182, 54, 121}, {251, 252, 191}}},
    {"cividis", 256, {{0, 34, 77}, {124, 123, 120}, {253, 231, 55}}},
    {"coolwarm", 256, {{58, 76, 192}, {221, 220, 219}, {179, 3, 38}}},
    {"twilight", 510, {{225, 216, 226}, {47, 20, 54}, {225, 216, 225}}},
    {"twilight_shifted", 510, {{47, 19, 55}, {225, 216, 225}, {47, 20, 54}}},
    {"tab10", 10, {{31, 119, 180}, {140, 86, 75}, {23, 190, 207}}},
    {"tab20", 20, {{31, 119, 180}, {140, 86, 75}, {158, 218, 229}}},
  };
  cv_colormap m, r;
  for (size_t t = 0; t < sizeof want / sizeof want[0]; t++) {
    char rname[40];
    snprintf(rname, sizeof rname, "%s_r", want[t].name);
    CHECK(cv_colormap_get(&m, want[t].name) == CV_OK && m.n == want[t].n, "%s: %d entries", want[t].name, m.n);
    const int at[3] = {0, want[t].n / 2, want[t].n - 1};
    for (int j = 0; j < 3; j++)
      CHECK(rgb_is(&m, at[j], want[t].rgb[j][0], want[t].rgb[j][1], want[t].rgb[j][2]), "%s[%d] = %d %d %d",
            want[t].name, at[j], m.rgb[at[j]][0], m.rgb[at[j]][1], m.rgb[at[j]][2]);
    CHECK(cv_colormap_get(&r, rname) == CV_OK && r.n == m.n, "%s", rname);
    int same = 1;
    for (int i = 0; i < m.n; i++)
      same &= rgb_is(&r, i, m.rgb[m.n - 1 - i][0], m.rgb[m.n - 1 - i][1], m.rgb[m.n - 1 - i][2]);
    CHECK(same, "%s is %s reversed", rname, want[t].name);
  }

  /* a listed map of N colours: floor(x * N), no blending; a 256-entry table would put 0.1005 in C0 */
  CHECK(cv_colormap_get(&m, "tab10") == CV_OK, "tab10");
  CHECK(cv_colormap_index(&m, 0.0999, 0, 1) == 0 && cv_colormap_index(&m, 0.1, 0, 1) == 1 &&
        cv_colormap_index(&m, 0.1005, 0, 1) == 1 && cv_colormap_index(&m, 0.95, 0, 1) == 9 &&
        cv_colormap_index(&m, 1, 0, 1) == 9 && cv_colormap_index(&m, 7, 0, 1) == 9 &&
        cv_colormap_index(&m, -1, 0, 1) == 0, "tab10's index rule");
  const float vals[3] = {0.0f, 5.5f, 9.0f};
  uint8_t rgba[12];
  cv_colormap_apply(rgba, vals, 3, &m, 0, 10);
  CHECK(rgba[0] == 0x1f && rgba[4] == 0x8c && rgba[5] == 0x56 && rgba[8] == 0x17 && rgba[11] == 255,
        "tab10 through apply: C0, C5, C9");

  /* the list and the builder agree: every name builds, every map has its _r and every _r its map */
  const char *const *names = cv_colormap_names();
  int count = 0, plain = 0;
  for (int i = 0; names[i]; i++, count++) {
    size_t n = strlen(names[i]);
    int rev = n > 2 && !strcmp(names[i] + n - 2, "_r");
    char other[40];
    if (rev) snprintf(other, sizeof other, "%.*s", (int)(n - 2), names[i]);
    else snprintf(other, sizeof other, "%s_r", names[i]), plain++;
    int found = 0;
    for (int j = 0; names[j]; j++) found |= !strcmp(names[j], other);
    CHECK(cv_colormap_get(&m, names[i]) == CV_OK && found, "%s builds and %s is listed", names[i], other);
  }
  CHECK(count == 2 * plain && plain == 19, "%d names, %d maps", count, plain);

  /* the unknown-name error names every map */
  CHECK(cv_colormap_get(&m, "plasmaa") == CV_EINVAL, "unknown map");
  const char *msg = cv_last_error();
  int all = strstr(msg, "'plasmaa'") != NULL;
  for (int i = 0; names[i]; i++)
    if (!strstr(names[i], "_r")) all &= strstr(msg, names[i]) != NULL;
  CHECK(all, "the error lists every map: %s", msg);
}

static void test_text(void) {
  cv_canvas c;
  /* text: ink for Latin and Chinese, nothing for a space */
  cv_fontset fs = {0};
  if (cv_fontset_add(&fs, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0) == CV_OK) {
    CHECK(cv_fontset_has_glyph(&fs, 0x4e1c) && !cv_fontset_has_glyph(&fs, 0x10fffd), "东 in the font");
    cv_canvas_init(&c, 80, 40, WHITE);
    CHECK(cv_text_draw(&c, &fs, "东A", 24, 40, 20, 1, 2, 0, BLACK) == CV_OK, "draw");
    int ink = 0, left = 0;
    for (int y = 0; y < 40; y++)
      for (int x = 0; x < 80; x++)
        if (px(&c, x, y)[0] < 128) { ink++; if (x < 10) left++; }
    CHECK(ink > 50 && left == 0, "centred ink (%d, %d left)", ink, left);
    cv_text_metrics m;
    CHECK(cv_text_measure(&fs, "东东", 24, &m) == CV_OK && m.width > 40 && m.width < 56, "width %g", m.width);
    cv_canvas_free(&c);
    cv_fontset_clear(&fs);
  } else {
    printf("test_raster: wqy-microhei not installed, text checks skipped\n");
  }
}

int main(void) {
  test_fills();
  test_strokes();
  test_colormaps();
  test_colormaps_more();
  test_text();
  CTEST_END("raster");
}
