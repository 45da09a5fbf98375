/* tensor_ops.c - element-wise work on cvision tensors (see tensor_ops.h): conversion, filling,
 * arithmetic and comparisons with broadcasting, unary functions, clamping. Every tensor is
 * contiguous, so most work is a flat loop; broadcasting walks the output in row-major order with
 * per-operand strides (0 on broadcast axes) after merging axes that are contiguous in every
 * operand, so the inner loop is as long as possible. */
#include "tensor/tensor_ops.h"
#include "base/random.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* ---------------------------------------------------------------- conversion, fill */

uint8_t cv_f2u8(double v) {
  /* numpy casts through a C integer conversion: truncation toward zero, then the low byte */
  if (!(v > -9.2e18 && v < 9.2e18)) return 0;   /* NaN and huge values */
  return (uint8_t)(uint64_t)(int64_t)v;
}

int8_t cv_f2i8(double v) { return (int8_t)cv_f2u8(v); }

/* element i of a buffer of dtype dt, as a double */
static double load(const void *p, cv_dtype dt, int64_t i) {
  switch (dt) {
    case CV_UINT8: return ((const uint8_t *)p)[i];
    case CV_INT8: return ((const int8_t *)p)[i];
    default: return ((const float *)p)[i];
  }
}

static void store(void *p, cv_dtype dt, int64_t i, double v) {
  switch (dt) {
    case CV_UINT8: ((uint8_t *)p)[i] = cv_f2u8(v); break;
    case CV_INT8: ((int8_t *)p)[i] = cv_f2i8(v); break;
    default: ((float *)p)[i] = (float)v; break;
  }
}

void cv_convert(void *dst, cv_dtype dd, const void *src, cv_dtype sd, int64_t n) {
  if (dd == CV_INT8 || sd == CV_INT8) {
    /* int8 casts are not hot: one simple loop through double (uint8 <-> int8 wraps too) */
    if (dd == sd) {
      if (dst != src) memmove(dst, src, (size_t)n);
    } else {
      for (int64_t i = 0; i < n; i++) store(dst, dd, i, load(src, sd, i));
    }
    return;
  }
  if (dd == sd) {
    if (dst != src) memmove(dst, src, (size_t)n * cv_dtype_size(dd));
  } else if (dd == CV_FLOAT32) {
    float *d = dst;
    const uint8_t *s = src;
    for (int64_t i = 0; i < n; i++) d[i] = (float)s[i];
  } else {
    uint8_t *d = dst;
    const float *s = src;
    for (int64_t i = 0; i < n; i++) {
      float v = s[i];
      /* the common in-range case without the double round trip */
      d[i] = (v >= 0.0f && v < 256.0f) ? (uint8_t)v : cv_f2u8(v);
    }
  }
}

void cv_tensor_fill(cv_tensor *t, double v) {
  if (t->dtype == CV_UINT8 || t->dtype == CV_INT8) {
    memset(cv_tensor_data(t), t->dtype == CV_UINT8 ? cv_f2u8(v) : (uint8_t)cv_f2i8(v), (size_t)t->numel);
  } else {
    float *p = cv_tensor_f32(t), f = (float)v;
    for (int64_t i = 0; i < t->numel; i++) p[i] = f;
  }
}

cv_status cv_tensor_copy(cv_tensor *dst, const cv_tensor *src) {
  if (dst->numel != src->numel)
    return cv_fail(CV_ESHAPE, "copy: destination has %lld elements, source %lld",
                   (long long)dst->numel, (long long)src->numel);
  cv_convert(cv_tensor_data(dst), dst->dtype, cv_tensor_data(src), src->dtype, src->numel);
  return CV_OK;
}

void cv_tensor_arange(cv_tensor *t, double start, double step) {
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)(start + (double)i * step);
}

void cv_tensor_rand_uniform(cv_tensor *t, double lo, double hi) {
  double w = hi - lo;
  if (t->dtype != CV_FLOAT32) {
    for (int64_t i = 0; i < t->numel; i++) cv_tensor_set_flat(t, i, lo + w * cv_rng_uniform());
    return;
  }
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)(lo + w * cv_rng_uniform());
}

void cv_tensor_rand_normal(cv_tensor *t, double mean, double std) {
  if (t->dtype != CV_FLOAT32) {
    for (int64_t i = 0; i < t->numel; i++) cv_tensor_set_flat(t, i, mean + std * cv_rng_normal());
    return;
  }
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)(mean + std * cv_rng_normal());
}

double cv_tensor_get_flat(const cv_tensor *t, int64_t i) {
  return load(cv_tensor_data(t), t->dtype, i);
}

void cv_tensor_set_flat(cv_tensor *t, int64_t i, double v) {
  store(cv_tensor_data(t), t->dtype, i, v);
}

/* ---------------------------------------------------------------- broadcasting */

cv_status cv_broadcast_shape(int *ndim, int64_t *shape, int an, const int64_t *ash, int bn,
                             const int64_t *bsh) {
  int nd = an > bn ? an : bn;
  for (int d = 0; d < nd; d++) {
    int ad = d - (nd - an), bd = d - (nd - bn);
    int64_t x = ad >= 0 ? ash[ad] : 1, y = bd >= 0 ? bsh[bd] : 1;
    if (x != y && x != 1 && y != 1) {
      char sa[128], sb[128];
      cv_shape_format(sa, sizeof sa, an, ash);
      cv_shape_format(sb, sizeof sb, bn, bsh);
      return cv_fail(CV_ESHAPE, "shapes %s and %s cannot be broadcast together", sa, sb);
    }
    shape[d] = x == 1 ? y : x;
  }
  *ndim = nd;
  return CV_OK;
}

int cv_binop_is_compare(cv_binop op) { return op >= CV_OP_EQ && op <= CV_OP_GE; }

/* internal: x op y = y, the broadcasting copy of cv_tensor_assign */
#define OP_SECOND ((cv_binop)100)

static int u8_closed(cv_binop op) {
  return op == OP_SECOND || op == CV_OP_ADD || op == CV_OP_SUB || op == CV_OP_MUL || op == CV_OP_MAXIMUM ||
         op == CV_OP_MINIMUM || cv_binop_is_compare(op);
}

cv_dtype cv_binop_dtype(cv_binop op, cv_dtype a, cv_dtype b) {
  if (cv_binop_is_compare(op)) return CV_UINT8;
  if (a == CV_UINT8 && b == CV_UINT8 && u8_closed(op)) return CV_UINT8;
  return CV_FLOAT32;
}

/* One operand of a broadcast loop: data of a contiguous block (or one scalar) and its shape. */
typedef struct operand {
  const void *data;
  cv_dtype dtype;
  int ndim;
  const int64_t *shape;
} operand;

/* The iteration plan: nd merged axes, their sizes and each operand's element strides. */
typedef struct plan {
  int nd;
  int64_t size[CV_MAX_DIMS];
  int64_t sa[CV_MAX_DIMS], sb[CV_MAX_DIMS];
} plan;

static void operand_strides(int64_t *st, const operand *x, int nd, const int64_t *shape) {
  int64_t s = 1;
  for (int d = nd - 1; d >= 0; d--) {
    int xd = d - (nd - x->ndim);
    if (xd < 0) { st[d] = 0; continue; }
    st[d] = (x->shape[xd] == 1 && shape[d] != 1) ? 0 : s;
    s *= x->shape[xd];
  }
}

static void make_plan(plan *p, const operand *a, const operand *b, int nd, const int64_t *shape) {
  int64_t sa[CV_MAX_DIMS], sb[CV_MAX_DIMS];
  operand_strides(sa, a, nd, shape);
  operand_strides(sb, b, nd, shape);
  /* merge axis d into the axis after it when both operands step through them as one */
  int m = 0;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == 1) continue;
    if (m > 0 && sa[d] * shape[d] == p->sa[m - 1] && sb[d] * shape[d] == p->sb[m - 1]) {
      /* previous (outer) axis continues this one: fold it in */
      p->size[m - 1] *= shape[d];
      p->sa[m - 1] = sa[d];
      p->sb[m - 1] = sb[d];
      continue;
    }
    p->size[m] = shape[d];
    p->sa[m] = sa[d];
    p->sb[m] = sb[d];
    m++;
  }
  if (m == 0) { p->size[0] = 1; p->sa[0] = 0; p->sb[0] = 0; m = 1; }
  p->nd = m;
}

/* x mod y with the sign of y, like Python and numpy (fmod has the sign of x) */
static inline float fmod_floor(float x, float y) {
  float r = fmodf(x, y);
  return (r != 0.0f && ((r < 0.0f) != (y < 0.0f))) ? r + y : r;
}

#define ROW(EXPR) for (int64_t i = 0; i < n; i++) { float x = a[i * sa], y = b[i * sb]; o[i] = (EXPR); (void)x; (void)y; }

static ALWAYS_INLINE void row_f32(float *o, const float *a, int64_t sa, const float *b, int64_t sb,
                                  int64_t n, cv_binop op) {
  switch ((int)op) {
    case CV_OP_ADD: ROW(x + y); break;
    case CV_OP_SUB: ROW(x - y); break;
    case CV_OP_MUL: ROW(x * y); break;
    case CV_OP_DIV: ROW(x / y); break;
    case CV_OP_POW: ROW(y == 2.0f ? x * x : powf(x, y)); break;
    case CV_OP_MAXIMUM: ROW((x > y || x != x) ? x : y); break;
    case CV_OP_MINIMUM: ROW((x < y || x != x) ? x : y); break;
    case CV_OP_MOD: ROW(fmod_floor(x, y)); break;
    case CV_OP_FLOORDIV: ROW(floorf(x / y)); break;
    case OP_SECOND: ROW(y); break;
    default: break;
  }
}

static ALWAYS_INLINE void row_cmp(uint8_t *o, const float *a, int64_t sa, const float *b, int64_t sb,
                                  int64_t n, cv_binop op) {
  switch ((int)op) {
    case CV_OP_EQ: ROW(x == y); break;
    case CV_OP_NE: ROW(x != y); break;
    case CV_OP_LT: ROW(x < y); break;
    case CV_OP_GT: ROW(x > y); break;
    case CV_OP_LE: ROW(x <= y); break;
    case CV_OP_GE: ROW(x >= y); break;
    default: break;
  }
}
#undef ROW

#define ROW(EXPR) for (int64_t i = 0; i < n; i++) { unsigned x = a[i * sa], y = b[i * sb]; o[i] = (uint8_t)(EXPR); (void)x; (void)y; }
static ALWAYS_INLINE void row_u8(uint8_t *o, const uint8_t *a, int64_t sa, const uint8_t *b,
                                 int64_t sb, int64_t n, cv_binop op) {
  switch ((int)op) {
    case CV_OP_ADD: ROW(x + y); break;
    case CV_OP_SUB: ROW(x - y); break;
    case CV_OP_MUL: ROW(x * y); break;
    case CV_OP_MAXIMUM: ROW(x > y ? x : y); break;
    case CV_OP_MINIMUM: ROW(x < y ? x : y); break;
    case OP_SECOND: ROW(y); break;
    case CV_OP_EQ: ROW(x == y); break;
    case CV_OP_NE: ROW(x != y); break;
    case CV_OP_LT: ROW(x < y); break;
    case CV_OP_GT: ROW(x > y); break;
    case CV_OP_LE: ROW(x <= y); break;
    case CV_OP_GE: ROW(x >= y); break;
    default: break;
  }
}
#undef ROW

/* kind 0: float -> float, 1: float -> uint8 mask, 2: uint8 -> uint8 */
static void run_row(int kind, void *o, const void *a, int64_t sa, const void *b, int64_t sb,
                    int64_t n, cv_binop op) {
  /* constant strides in the common cases let the compiler vectorise the inlined loops */
  if (kind == 0) {
    if (sa == 1 && sb == 1) row_f32(o, a, 1, b, 1, n, op);
    else if (sa == 1 && sb == 0) row_f32(o, a, 1, b, 0, n, op);
    else if (sa == 0 && sb == 1) row_f32(o, a, 0, b, 1, n, op);
    else row_f32(o, a, sa, b, sb, n, op);
  } else if (kind == 1) {
    if (sa == 1 && sb == 1) row_cmp(o, a, 1, b, 1, n, op);
    else if (sa == 1 && sb == 0) row_cmp(o, a, 1, b, 0, n, op);
    else row_cmp(o, a, sa, b, sb, n, op);
  } else {
    if (sa == 1 && sb == 1) row_u8(o, a, 1, b, 1, n, op);
    else if (sa == 1 && sb == 0) row_u8(o, a, 1, b, 0, n, op);
    else row_u8(o, a, sa, b, sb, n, op);
  }
}

static void run_plan(const plan *p, int kind, void *out, size_t osz, const void *a, const void *b,
                     size_t isz, cv_binop op) {
  int nd = p->nd;
  int64_t n = p->size[nd - 1], sa = p->sa[nd - 1], sb = p->sb[nd - 1];
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= p->size[d];
  int64_t idx[CV_MAX_DIMS] = {0};
  int64_t oa = 0, ob = 0;
  char *o = out;
  for (int64_t r = 0; r < rows; r++) {
    run_row(kind, o + (size_t)(r * n) * osz, (const char *)a + (size_t)oa * isz, sa,
            (const char *)b + (size_t)ob * isz, sb, n, op);
    /* odometer over the outer axes */
    for (int d = nd - 2; d >= 0; d--) {
      oa += p->sa[d];
      ob += p->sb[d];
      if (++idx[d] < p->size[d]) break;
      oa -= p->sa[d] * p->size[d];
      ob -= p->sb[d] * p->size[d];
      idx[d] = 0;
    }
  }
}

/* a float32 view of an operand: itself, or a converted copy in *tmp (freed by the caller) */
static cv_status as_float(operand *x, float **tmp) {
  *tmp = NULL;
  if (x->dtype == CV_FLOAT32) return CV_OK;
  int64_t n = cv_shape_numel(x->ndim, x->shape);
  *tmp = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
  if (!*tmp) return cv_fail(CV_ENOMEM, "out of memory converting an operand to float32");
  cv_convert(*tmp, CV_FLOAT32, x->data, x->dtype, n);
  x->data = *tmp;
  x->dtype = CV_FLOAT32;
  return CV_OK;
}

static cv_status binary_operands(cv_tensor *out, operand a, operand b, cv_binop op) {
  int nd;
  int64_t shape[CV_MAX_DIMS];
  cv_status st = cv_broadcast_shape(&nd, shape, a.ndim, a.shape, b.ndim, b.shape);
  if (st != CV_OK) return st;
  int same = nd == out->ndim;
  for (int d = 0; same && d < nd; d++) same = shape[d] == out->shape[d];
  if (!same) {
    char so[128], sr[128];
    cv_shape_format(so, sizeof so, out->ndim, out->shape);
    cv_shape_format(sr, sizeof sr, nd, shape);
    return cv_fail(CV_ESHAPE, "result of shape %s does not fit the output of shape %s", sr, so);
  }
  cv_dtype rdt = cv_binop_dtype(op, a.dtype, b.dtype);
  int kind;
  float *ta = NULL, *tb = NULL;
  void *res = NULL;
  if (a.dtype == CV_UINT8 && b.dtype == CV_UINT8 && u8_closed(op)) {
    kind = 2;
  } else {
    kind = cv_binop_is_compare(op) ? 1 : 0;
    if ((st = as_float(&a, &ta)) != CV_OK) return st;
    if ((st = as_float(&b, &tb)) != CV_OK) { free(ta); return st; }
  }
  void *dst = cv_tensor_data(out);
  if (rdt != out->dtype) {
    res = malloc((size_t)(out->numel > 0 ? out->numel : 1) * cv_dtype_size(rdt));
    if (!res) { free(ta); free(tb); return cv_fail(CV_ENOMEM, "out of memory"); }
    dst = res;
  }
  if (out->numel > 0) {
    plan p;
    make_plan(&p, &a, &b, nd, shape);
    run_plan(&p, kind, dst, cv_dtype_size(rdt), a.data, b.data, cv_dtype_size(a.dtype), op);
  }
  if (res) cv_convert(cv_tensor_data(out), out->dtype, res, rdt, out->numel);
  free(res);
  free(ta);
  free(tb);
  return CV_OK;
}

static operand tensor_operand(const cv_tensor *t) {
  operand x = {cv_tensor_data(t), t->dtype, t->ndim, t->shape};
  return x;
}

/* 1 when x shares bytes with out without being exactly out (same start, dtype and shape): the
 * loops then would read elements they have already written (x[2:] += x[:-1] must give numpy's
 * 1 3 5 7 for 1 2 3 4, not a running sum), so such an operand is read from a copy. */
static int overlaps(const cv_tensor *out, const cv_tensor *x) {
  if (!x->storage || x->storage != out->storage || x->numel == 0 || out->numel == 0) return 0;
  const char *xs = cv_tensor_data(x), *os = cv_tensor_data(out);
  const char *xe = xs + (size_t)x->numel * cv_dtype_size(x->dtype);
  const char *oe = os + (size_t)out->numel * cv_dtype_size(out->dtype);
  if (xe <= os || oe <= xs) return 0;
  if (xs == os && x->dtype == out->dtype && x->ndim == out->ndim &&
      memcmp(x->shape, out->shape, sizeof(int64_t) * (size_t)x->ndim) == 0)
    return 0;   /* element i is read then written by the same step: safe */
  return 1;
}

/* x as an operand, read from a malloc'd copy in *tmp when it overlaps out (freed by the caller) */
static cv_status safe_operand(operand *o, const cv_tensor *out, const cv_tensor *x, void **tmp) {
  *o = tensor_operand(x);
  *tmp = NULL;
  if (!overlaps(out, x)) return CV_OK;
  size_t n = (size_t)x->numel * cv_dtype_size(x->dtype);
  *tmp = malloc(n);
  if (!*tmp) return cv_fail(CV_ENOMEM, "out of memory copying an overlapping operand");
  memcpy(*tmp, cv_tensor_data(x), n);
  o->data = *tmp;
  return CV_OK;
}

cv_status cv_tensor_binary(cv_tensor *out, const cv_tensor *a, const cv_tensor *b, cv_binop op) {
  operand oa, ob;
  void *ta, *tb;
  cv_status st = safe_operand(&oa, out, a, &ta);
  if (st == CV_OK && (st = safe_operand(&ob, out, b, &tb)) != CV_OK) free(ta);
  if (st != CV_OK) return st;
  st = binary_operands(out, oa, ob, op);
  free(ta);
  free(tb);
  return st;
}

cv_status cv_tensor_binary_scalar(cv_tensor *out, const cv_tensor *a, double s, cv_binop op,
                                  int scalar_first) {
  float f = (float)s;
  operand x = tensor_operand(a), y = {&f, CV_FLOAT32, 0, NULL};
  return scalar_first ? binary_operands(out, y, x, op) : binary_operands(out, x, y, op);
}

cv_status cv_tensor_assign(cv_tensor *dst, const cv_tensor *src) {
  if (src->ndim == dst->ndim || src->numel != dst->numel) {
    int nd;
    int64_t shape[CV_MAX_DIMS];
    cv_status st = cv_broadcast_shape(&nd, shape, dst->ndim, dst->shape, src->ndim, src->shape);
    int same = st == CV_OK && nd == dst->ndim;
    for (int d = 0; same && d < nd; d++) same = shape[d] == dst->shape[d];
    if (!same) {
      char sd[128], ss[128];
      cv_shape_format(sd, sizeof sd, dst->ndim, dst->shape);
      cv_shape_format(ss, sizeof ss, src->ndim, src->shape);
      return cv_fail(CV_ESHAPE, "could not broadcast a tensor of shape %s into shape %s", ss, sd);
    }
    if (src->numel != dst->numel) {
      operand os;
      void *tmp;
      if ((st = safe_operand(&os, dst, src, &tmp)) != CV_OK) return st;
      st = binary_operands(dst, tensor_operand(dst), os, OP_SECOND);
      free(tmp);
      return st;
    }
  }
  return cv_tensor_copy(dst, src);
}

/* ---------------------------------------------------------------- unary */

cv_status cv_tensor_unary(cv_tensor *out, const cv_tensor *a, cv_unop op) {
  if (out->numel != a->numel || out->dtype != CV_FLOAT32)
    return cv_fail(CV_ESHAPE, "unary op: output must be float32 with %lld elements",
                   (long long)a->numel);
  float *o = cv_tensor_f32(out);
  int64_t n = a->numel;
  if (a->dtype != CV_FLOAT32) cv_convert(o, CV_FLOAT32, cv_tensor_data(a), a->dtype, n);
  const float *x = a->dtype != CV_FLOAT32 ? o : cv_tensor_f32(a);
  switch ((int)op) {
    case CV_OP_NEG: for (int64_t i = 0; i < n; i++) o[i] = -x[i]; break;
    case CV_OP_EXP: for (int64_t i = 0; i < n; i++) o[i] = expf(x[i]); break;
    case CV_OP_LOG: for (int64_t i = 0; i < n; i++) o[i] = logf(x[i]); break;
    case CV_OP_SQRT: for (int64_t i = 0; i < n; i++) o[i] = sqrtf(x[i]); break;
    case CV_OP_ABS: for (int64_t i = 0; i < n; i++) o[i] = fabsf(x[i]); break;
    case CV_OP_SQUARE: for (int64_t i = 0; i < n; i++) o[i] = x[i] * x[i]; break;
    case CV_OP_SIGN:
      for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        o[i] = v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v;   /* keeps 0 and NaN */
      }
      break;
  }
  return CV_OK;
}

cv_status cv_tensor_clamp(cv_tensor *out, const cv_tensor *a, double lo, double hi) {
  if (out->numel != a->numel)
    return cv_fail(CV_ESHAPE, "clamp: output must have %lld elements", (long long)a->numel);
  if (out->dtype == CV_FLOAT32 && a->dtype == CV_FLOAT32) {
    float *o = cv_tensor_f32(out), l = (float)lo, h = (float)hi;
    const float *x = cv_tensor_f32(a);
    for (int64_t i = 0; i < a->numel; i++) {
      float v = x[i];
      v = v < l ? l : v;
      o[i] = v > h ? h : v;
    }
    return CV_OK;
  }
  for (int64_t i = 0; i < a->numel; i++) {
    double v = cv_tensor_get_flat(a, i);
    v = v < lo ? lo : v;
    cv_tensor_set_flat(out, i, v > hi ? hi : v);
  }
  return CV_OK;
}
