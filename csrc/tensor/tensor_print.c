/* tensor_print.c - the numpy-like text form of a tensor (see tensor_print.h). */
#include "tensor/tensor_print.h"
#include "tensor/tensor_ops.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- numpy-like text */
/* A port of numpy's array repr (numpy/_core/arrayprint.py, numpy 2.3 defaults): the widths come
 * from the elements shown (edges only when summarised), floats use the shortest digits that
 * round-trip through float32, cut at 8 decimals, in positional form unless the non-zero
 * magnitudes span too much (then scientific); rows wrap at 75 columns. */

#define LINEWIDTH 75
#define THRESHOLD 1000
#define EDGE 3

typedef struct sbuf { char *p; size_t n, cap; int oom; } sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return; }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_spaces(sbuf *b, int n) { for (int i = 0; i < n; i++) sb_putn(b, " ", 1); }

/* shortest decimal digits of x that read back as the same float32: x = d1.d2d3... * 10^e */
static void shortest_digits(float x, int *neg, char *dig, int *e) {
  char buf[48];
  for (int p = 1; p <= 9; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, (double)x);
    if (strtof(buf, NULL) == x) break;
  }
  const char *q = buf;
  *neg = *q == '-';
  if (*neg) q++;
  int k = 0;
  for (; *q && *q != 'e'; q++)
    if (*q != '.') dig[k++] = *q;
  while (k > 1 && dig[k - 1] == '0') k--;
  dig[k] = 0;
  *e = *q == 'e' ? atoi(q + 1) : 0;
}

/* positional parts ("-12", "5") of x with at most 8 decimals */
static void positional_parts(float x, char *ip, char *fp) {
  int neg, e;
  char dig[16];
  shortest_digits(x, &neg, dig, &e);
  int nd = (int)strlen(dig);
  char *o = ip;
  if (neg) *o++ = '-';
  if (e >= 0) {
    for (int i = 0; i <= e; i++) *o++ = i < nd ? dig[i] : '0';
    *o = 0;
    strcpy(fp, nd > e + 1 ? dig + e + 1 : "");
  } else {
    *o++ = '0';
    *o = 0;
    int z = -e - 1;
    for (int i = 0; i < z; i++) fp[i] = '0';
    strcpy(fp + z, dig);
  }
  if (nd == 1 && dig[0] == '0') fp[0] = 0;
  if (strlen(fp) > 8) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.8f", fabs((double)x));
    char *dot = strchr(buf, '.');
    *dot = 0;
    size_t fl = strlen(dot + 1);
    while (fl > 0 && dot[fl] == '0') dot[fl--] = 0;
    ip[0] = '-';
    strcpy(ip + neg, buf);
    strcpy(fp, dot + 1);
  }
}

typedef struct fmt {
  int is_u8;                  /* uint8 or int8 */
  int width;                  /* integers: characters of the widest value */
  int exp_format;
  int pad_left, pad_right;    /* float: widths of the integer and fraction parts */
  int precision;              /* scientific: digits after the point */
} fmt;

static void fmt_init(fmt *f, const cv_tensor *t, const double *v, int64_t n) {
  memset(f, 0, sizeof *f);
  if (t->dtype == CV_UINT8 || t->dtype == CV_INT8) {
    /* numpy's IntegerFormat: the width of the longer of max and min (a minus sign counts) */
    f->is_u8 = 1;
    double mx = 0, mn = 0;
    for (int64_t i = 0; i < n; i++) {
      mx = v[i] > mx ? v[i] : mx;
      mn = v[i] < mn ? v[i] : mn;
    }
    int wx = snprintf(NULL, 0, "%d", (int)mx), wn = snprintf(NULL, 0, "%d", (int)mn);
    f->width = n ? (wx > wn ? wx : wn) : 0;
    return;
  }
  /* numpy compares in float32 (NEP 50); since numpy 2.3 the cutoff for float32 is 1e6 */
  float mx = 0, mn = 0;
  int any = 0, nonfinite = 0, neginf = 0, nfin = 0;
  for (int64_t i = 0; i < n; i++) {
    float x = (float)v[i];
    if (!isfinite(x)) { nonfinite = 1; if (isinf(x) && x < 0) neginf = 1; continue; }
    nfin++;
    if (x == 0) continue;
    float a = fabsf(x);
    if (!any || a > mx) mx = a;
    if (!any || a < mn) mn = a;
    any = 1;
  }
  if (any && (mx >= 1.e6f || mn < 0.0001f || mx / mn > 1000.0f)) f->exp_format = 1;
  char ip[64], fp[64];
  if (nfin == 0) {
    f->pad_left = f->pad_right = 0;
  } else if (f->exp_format) {
    for (int64_t i = 0; i < n; i++) {
      float x = (float)v[i];
      if (!isfinite(x)) continue;
      int neg, e;
      char dig[16];
      shortest_digits(x, &neg, dig, &e);
      int il = 1 + neg, fl = (int)strlen(dig) - 1;
      if (il > f->pad_left) f->pad_left = il;
      if (fl > f->precision) f->precision = fl;
    }
    f->pad_right = 2 + 2 + f->precision;    /* exponent digits + "e-" + decimals */
  } else {
    for (int64_t i = 0; i < n; i++) {
      float x = (float)v[i];
      if (!isfinite(x)) continue;
      positional_parts(x, ip, fp);
      int il = (int)strlen(ip), fl = (int)strlen(fp);
      if (il > f->pad_left) f->pad_left = il;
      if (fl > f->pad_right) f->pad_right = fl;
    }
  }
  if (nonfinite) {
    int off = f->pad_right + 1;
    if (3 - off > f->pad_left) f->pad_left = 3 - off;
    if (3 + neginf - off > f->pad_left) f->pad_left = 3 + neginf - off;
  }
}

/* one element as numpy prints it inside the array */
static void fmt_value(const fmt *f, double v, char *out, int n) {
  if (f->is_u8) { snprintf(out, (size_t)n, "%*d", f->width, (int)v); return; }
  float x = (float)v;
  if (!isfinite(x)) {
    snprintf(out, (size_t)n, "%*s", f->pad_left + f->pad_right + 1, x != x ? "nan" : x < 0 ? "-inf" : "inf");
    return;
  }
  if (f->exp_format) {
    int neg, e;
    char dig[16], frac[16];
    shortest_digits(x, &neg, dig, &e);
    int k = 0;
    for (const char *q = dig + 1; *q; q++) frac[k++] = *q;
    while (k < f->precision) frac[k++] = '0';
    frac[k] = 0;
    char ip[4] = {0};
    if (neg) { ip[0] = '-'; ip[1] = dig[0]; } else ip[0] = dig[0];
    snprintf(out, (size_t)n, "%*s.%se%c%02d", f->pad_left, ip, frac, e < 0 ? '-' : '+', e < 0 ? -e : e);
    return;
  }
  char ip[64], fp[64];
  positional_parts(x, ip, fp);
  int w = snprintf(out, (size_t)n, "%*s.", f->pad_left, ip);
  if (w > 0 && w < n) snprintf(out + w, (size_t)(n - w), "%-*s", f->pad_right, fp);
}

typedef struct printer {
  const cv_tensor *t;
  fmt f;
  int summary;
} printer;

static int shown(const printer *p, int d) { return p->summary && p->t->shape[d] > 2 * EDGE; }

/* collects the elements that will be printed (edges of summarised axes) */
static void collect(const printer *p, int d, int64_t base, double *out, int64_t *k) {
  const cv_tensor *t = p->t;
  if (d == t->ndim) { out[(*k)++] = cv_tensor_get_flat(t, base); return; }
  int64_t n = t->shape[d];
  for (int64_t i = 0; i < n; i++) {
    if (shown(p, d) && i == EDGE) i = n - EDGE;
    collect(p, d + 1, base * n + i, out, k);
  }
}

/* numpy's _extendLine: wrap `line` into s when the word would pass width */
static void extend_line(sbuf *s, sbuf *line, const char *word, int width, int indent) {
  int wrap = (int)(line->n + strlen(word)) > width;
  if ((int)line->n <= indent) wrap = 0;
  if (wrap) {
    size_t n = line->n;
    while (n > 0 && line->p[n - 1] == ' ') n--;
    sb_putn(s, line->p, n);
    sb_puts(s, "\n");
    line->n = 0;
    sb_spaces(line, indent);
  }
  sb_puts(line, word);
}

/* numpy's _formatArray recurser: the text of the sub-array at axis d, offset base (in units of
 * the sub-array), with a hanging indent of `indent` spaces */
static void recurse(const printer *p, sbuf *out, int d, int64_t base, int indent, int width) {
  const cv_tensor *t = p->t;
  char word[96];
  if (d == t->ndim) {
    fmt_value(&p->f, cv_tensor_get_flat(t, base), word, sizeof word);
    sb_puts(out, word);
    return;
  }
  int64_t n = t->shape[d];
  int summ = shown(p, d);
  int64_t lead = summ ? EDGE : 0, trail = summ ? EDGE : n;
  sbuf s = {0};
  if (d == t->ndim - 1) {
    int elem_width = width - 1;
    sbuf line = {0};
    sb_spaces(&line, indent);
    for (int64_t i = 0; i < lead; i++) {
      fmt_value(&p->f, cv_tensor_get_flat(t, base * n + i), word, sizeof word);
      extend_line(&s, &line, word, elem_width, indent);
      sb_puts(&line, ", ");
    }
    if (summ) {
      extend_line(&s, &line, "...", elem_width, indent);
      sb_puts(&line, ", ");
    }
    for (int64_t i = trail; i >= 1; i--) {
      fmt_value(&p->f, cv_tensor_get_flat(t, base * n + n - i), word, sizeof word);
      extend_line(&s, &line, word, elem_width, indent);
      if (i > 1) sb_puts(&line, ", ");
    }
    if (line.p) sb_putn(&s, line.p, line.n);
    s.oom |= line.oom;
    free(line.p);
  } else {
    char sep[CV_MAX_DIMS + 2] = ",";
    for (int k = 0; k < t->ndim - d - 1; k++) sep[k + 1] = '\n';
    sep[t->ndim - d] = 0;
    for (int64_t i = 0; i < lead; i++) {
      sb_spaces(&s, indent);
      recurse(p, &s, d + 1, base * n + i, indent + 1, width - 1);
      sb_puts(&s, sep);
    }
    if (summ) {
      sb_spaces(&s, indent);
      sb_puts(&s, "...");
      sb_puts(&s, sep);
    }
    for (int64_t i = trail; i >= 1; i--) {
      sb_spaces(&s, indent);
      recurse(p, &s, d + 1, base * n + n - i, indent + 1, width - 1);
      if (i > 1) sb_puts(&s, sep);
    }
  }
  sb_puts(out, "[");
  if (s.p && s.n >= (size_t)indent) sb_puts(out, s.p + indent);   /* drop the first hanging indent */
  sb_puts(out, "]");
  out->oom |= s.oom;
  free(s.p);
}

char *cv_tensor_format(const cv_tensor *t) {
  printer p = {t, {0}, t->numel > THRESHOLD};
  int64_t cap = 1;
  for (int d = 0; d < t->ndim; d++) cap *= shown(&p, d) ? 2 * EDGE : t->shape[d];
  double *vals = malloc((size_t)(cap > 0 ? cap : 1) * sizeof(double));
  if (!vals) return NULL;
  int64_t k = 0;
  if (t->numel > 0) collect(&p, 0, 0, vals, &k);
  fmt_init(&p.f, t, vals, k);
  free(vals);
  sbuf b = {0};
  sb_puts(&b, "array(");
  if (t->numel == 0) sb_puts(&b, "[]");
  else recurse(&p, &b, 0, 0, 7, LINEWIDTH - 1);
  sb_puts(&b, ",");
  char extra[256], shape[160];
  extra[0] = 0;
  if ((t->numel == 0 && !(t->ndim == 1)) || p.summary) {
    cv_shape_format(shape, sizeof shape, t->ndim, t->shape);
    snprintf(extra, sizeof extra, "shape=%s, ", shape);
  }
  size_t el = strlen(extra);
  snprintf(extra + el, sizeof extra - el, "dtype=%s)", cv_dtype_name(t->dtype));
  const char *nl = b.p ? strrchr(b.p, '\n') : NULL;
  size_t last = b.p ? (nl ? strlen(nl + 1) : b.n) : 0;
  if (last + strlen(extra) + 1 > LINEWIDTH) sb_puts(&b, "\n      ");
  else sb_puts(&b, " ");
  sb_puts(&b, extra);
  if (b.oom) { free(b.p); return NULL; }
  return b.p;
}
