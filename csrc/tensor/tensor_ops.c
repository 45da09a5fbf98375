/* tensor_ops.c - element-wise work on cvision tensors (see tensor_ops.h). Every tensor is
 * contiguous, so most work is a flat loop; broadcasting walks the output in row-major order with
 * per-operand strides (0 on broadcast axes) after merging axes that are contiguous in every
 * operand, so the inner loop is as long as possible. */
#include "tensor/tensor_ops.h"
#include "base/random.h"
#include <math.h>
#include <stdio.h>
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

void cv_convert(void *dst, cv_dtype dd, const void *src, cv_dtype sd, int64_t n) {
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
  if (t->dtype == CV_UINT8) {
    memset(cv_tensor_u8(t), cv_f2u8(v), (size_t)t->numel);
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
  if (t->dtype == CV_UINT8) {
    uint8_t *p = cv_tensor_u8(t);
    for (int64_t i = 0; i < t->numel; i++) p[i] = cv_f2u8(lo + w * cv_rng_uniform());
    return;
  }
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)(lo + w * cv_rng_uniform());
}

void cv_tensor_rand_normal(cv_tensor *t, double mean, double std) {
  if (t->dtype == CV_UINT8) {
    uint8_t *p = cv_tensor_u8(t);
    for (int64_t i = 0; i < t->numel; i++) p[i] = cv_f2u8(mean + std * cv_rng_normal());
    return;
  }
  float *p = cv_tensor_f32(t);
  for (int64_t i = 0; i < t->numel; i++) p[i] = (float)(mean + std * cv_rng_normal());
}

double cv_tensor_get_flat(const cv_tensor *t, int64_t i) {
  return t->dtype == CV_UINT8 ? (double)cv_tensor_u8(t)[i] : (double)cv_tensor_f32(t)[i];
}

void cv_tensor_set_flat(cv_tensor *t, int64_t i, double v) {
  if (t->dtype == CV_UINT8) cv_tensor_u8(t)[i] = cv_f2u8(v);
  else cv_tensor_f32(t)[i] = (float)v;
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
  if (a->dtype == CV_UINT8) cv_convert(o, CV_FLOAT32, cv_tensor_u8(a), CV_UINT8, n);
  const float *x = a->dtype == CV_UINT8 ? o : cv_tensor_f32(a);
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

/* ---------------------------------------------------------------- reductions */

static const char *reduce_name(cv_reduce op) {
  static const char *names[] = {"sum", "mean", "max", "min", "argmax", "argmin"};
  return names[op];
}

cv_status cv_tensor_reduce_all(const cv_tensor *t, cv_reduce op, double *value, int64_t *index) {
  int64_t n = t->numel;
  if (index) *index = 0;
  if (op == CV_RED_SUM || op == CV_RED_MEAN) {
    double acc = 0.0;
    if (t->dtype == CV_FLOAT32) {
      const float *p = cv_tensor_f32(t);
      for (int64_t i = 0; i < n; i++) acc += p[i];
    } else {
      const uint8_t *p = cv_tensor_u8(t);
      for (int64_t i = 0; i < n; i++) acc += p[i];
    }
    *value = op == CV_RED_SUM ? acc : (n ? acc / (double)n : NAN);
    return CV_OK;
  }
  if (n == 0)
    return cv_fail(CV_ESHAPE, "%s of an empty tensor (it has no identity)", reduce_name(op));
  int want_max = op == CV_RED_MAX || op == CV_RED_ARGMAX;
  int64_t bi = 0;
  if (t->dtype == CV_FLOAT32) {
    const float *p = cv_tensor_f32(t);
    float b = p[0];
    for (int64_t i = 1; i < n && b == b; i++) {
      float v = p[i];
      if (v != v || (want_max ? v > b : v < b)) { b = v; bi = i; }   /* NaN wins, like numpy */
    }
    *value = b;
  } else {
    const uint8_t *p = cv_tensor_u8(t);
    uint8_t b = p[0];
    for (int64_t i = 1; i < n; i++)
      if (want_max ? p[i] > b : p[i] < b) { b = p[i]; bi = i; }
    *value = b;
  }
  if (index) *index = bi;
  return CV_OK;
}

cv_status cv_tensor_reduce_axis(cv_tensor *out, const cv_tensor *t, int axis, cv_reduce op,
                                int64_t base) {
  if (axis < 0 || axis >= t->ndim)
    return cv_fail(CV_EINVAL, "%s: axis %d out of range for a tensor of rank %d",
                   reduce_name(op), axis + 1, t->ndim);
  int64_t outer = 1, inner = 1, n = t->shape[axis];
  for (int d = 0; d < axis; d++) outer *= t->shape[d];
  for (int d = axis + 1; d < t->ndim; d++) inner *= t->shape[d];
  if (out->numel != outer * inner)
    return cv_fail(CV_ESHAPE, "%s: output must have %lld elements", reduce_name(op),
                   (long long)(outer * inner));
  if (n == 0 && op != CV_RED_SUM && op != CV_RED_MEAN)
    return cv_fail(CV_ESHAPE, "%s over an empty axis", reduce_name(op));
  double *acc = malloc((size_t)(inner > 0 ? inner : 1) * (sizeof(double) + sizeof(int64_t)));
  if (!acc) return cv_fail(CV_ENOMEM, "out of memory");
  int64_t *arg = (int64_t *)(acc + inner);
  int is_f = t->dtype == CV_FLOAT32;
  const float *pf = is_f ? cv_tensor_f32(t) : NULL;
  const uint8_t *pu = is_f ? NULL : cv_tensor_u8(t);
  int sum = op == CV_RED_SUM || op == CV_RED_MEAN;
  int want_max = op == CV_RED_MAX || op == CV_RED_ARGMAX;
  for (int64_t o = 0; o < outer; o++) {
    int64_t start = o * n * inner;
    for (int64_t j = 0; j < inner; j++) {
      acc[j] = sum ? 0.0 : (is_f ? pf[start + j] : pu[start + j]);
      arg[j] = 0;
    }
    for (int64_t k = sum ? 0 : 1; k < n; k++) {
      int64_t row = start + k * inner;
      if (sum) {
        if (is_f) for (int64_t j = 0; j < inner; j++) acc[j] += pf[row + j];
        else for (int64_t j = 0; j < inner; j++) acc[j] += pu[row + j];
      } else {
        for (int64_t j = 0; j < inner; j++) {
          double v = is_f ? pf[row + j] : pu[row + j], b = acc[j];
          if (b != b) continue;                          /* a NaN stays the extreme */
          if (v != v || (want_max ? v > b : v < b)) { acc[j] = v; arg[j] = k; }
        }
      }
    }
    int64_t ob = o * inner;
    for (int64_t j = 0; j < inner; j++) {
      double v = acc[j];
      if (op == CV_RED_MEAN) v = n ? v / (double)n : NAN;
      else if (op == CV_RED_ARGMAX || op == CV_RED_ARGMIN) v = (double)(arg[j] + base);
      cv_tensor_set_flat(out, ob + j, v);
    }
  }
  free(acc);
  return CV_OK;
}

/* ---------------------------------------------------------------- gather, masks, concat */

cv_status cv_tensor_to_indices(int64_t *rows, const cv_tensor *idx, int64_t base) {
  if (idx->dtype == CV_UINT8) {
    const uint8_t *p = cv_tensor_u8(idx);
    for (int64_t i = 0; i < idx->numel; i++) rows[i] = (int64_t)p[i] - base;
    return CV_OK;
  }
  const float *p = cv_tensor_f32(idx);
  for (int64_t i = 0; i < idx->numel; i++) {
    float v = p[i];
    if (v != floorf(v) || !(fabsf(v) < 9e18f))
      return cv_fail(CV_EINVAL, "index %g at position %lld is not an integer", (double)v,
                     (long long)(i + base));
    rows[i] = (int64_t)v - base;
  }
  return CV_OK;
}

cv_status cv_tensor_gather_rows(cv_tensor *out, const cv_tensor *src, const int64_t *rows,
                                int64_t n) {
  if (src->ndim < 1) return cv_fail(CV_ESHAPE, "index: a 0-d tensor has no rows");
  int64_t nrows = src->shape[0];
  int64_t per = nrows ? src->numel / nrows : 0;
  if (out->dtype != src->dtype || out->numel != n * per)
    return cv_fail(CV_ESHAPE, "index: output must be %lld rows of %lld elements", (long long)n,
                   (long long)per);
  size_t sz = cv_dtype_size(src->dtype), rb = (size_t)per * sz;
  const char *s = cv_tensor_data(src);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < n; i++) {
    int64_t r = rows[i];
    if (r < 0 || r >= nrows)
      return cv_fail(CV_EINVAL, "index %lld out of range for axis 1 of size %lld",
                     (long long)(r + 1), (long long)nrows);
    if (per == 1) {
      if (sz == 4) ((float *)o)[i] = ((const float *)s)[r];
      else ((uint8_t *)o)[i] = ((const uint8_t *)s)[r];
    } else {
      memcpy(o + (size_t)i * rb, s + (size_t)r * rb, rb);
    }
  }
  return CV_OK;
}

int64_t cv_tensor_count_nonzero(const cv_tensor *mask) {
  int64_t c = 0;
  if (mask->dtype == CV_UINT8) {
    const uint8_t *p = cv_tensor_u8(mask);
    for (int64_t i = 0; i < mask->numel; i++) c += p[i] != 0;
  } else {
    const float *p = cv_tensor_f32(mask);
    for (int64_t i = 0; i < mask->numel; i++) c += p[i] != 0.0f;
  }
  return c;
}

static int mask_on(const cv_tensor *mask, int64_t i) {
  return mask->dtype == CV_UINT8 ? cv_tensor_u8(mask)[i] != 0 : cv_tensor_f32(mask)[i] != 0.0f;
}

int cv_mask_kind(const cv_tensor *t, const cv_tensor *mask, const char *what) {
  int same = mask->ndim == t->ndim;
  for (int d = 0; same && d < t->ndim; d++) same = mask->shape[d] == t->shape[d];
  if (same && t->ndim != 1) return 0;
  if (t->ndim >= 1 && mask->ndim == 1 && mask->shape[0] == t->shape[0]) return 1;
  char sm[128], st[128];
  cv_shape_format(sm, sizeof sm, mask->ndim, mask->shape);
  cv_shape_format(st, sizeof st, t->ndim, t->shape);
  cv_fail(CV_ESHAPE, "%s: a mask of shape %s does not match a tensor of shape %s (expected %lld "
          "entries along axis 1, or the same shape)", what, sm, st,
          (long long)(t->ndim ? t->shape[0] : 0));
  return -1;
}

cv_status cv_tensor_mask_select(cv_tensor *out, const cv_tensor *src, const cv_tensor *mask) {
  int kind = cv_mask_kind(src, mask, "select_mask");
  if (kind < 0) return CV_ESHAPE;
  int64_t per = kind == 1 && src->shape[0] ? src->numel / src->shape[0] : 1;
  int64_t cnt = cv_tensor_count_nonzero(mask);
  if (out->dtype != src->dtype || out->numel != cnt * per)
    return cv_fail(CV_ESHAPE, "select_mask: output must hold %lld elements", (long long)(cnt * per));
  size_t sz = cv_dtype_size(src->dtype), rb = (size_t)per * sz;
  const char *s = cv_tensor_data(src);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < mask->numel; i++)
    if (mask_on(mask, i)) {
      memcpy(o, s + (size_t)i * rb, rb);
      o += rb;
    }
  return CV_OK;
}

cv_status cv_tensor_mask_fill(cv_tensor *t, const cv_tensor *mask, double v) {
  int kind = cv_mask_kind(t, mask, "masked assignment");
  if (kind < 0) return CV_ESHAPE;
  int64_t per = kind == 1 && t->shape[0] ? t->numel / t->shape[0] : 1;
  for (int64_t i = 0; i < mask->numel; i++)
    if (mask_on(mask, i))
      for (int64_t j = 0; j < per; j++) cv_tensor_set_flat(t, i * per + j, v);
  return CV_OK;
}

/* the blocks of concat and split: each of the n tensors agrees with ref on every axis but axis;
 * *total = their sizes along axis added up. who/item name them in the message. */
static cv_status check_blocks(const char *who, const char *item, const cv_tensor *const *list, int n,
                              const cv_tensor *ref, int axis, int64_t *total) {
  int nd = ref->ndim;
  *total = 0;
  for (int k = 0; k < n; k++) {
    const cv_tensor *t = list[k];
    int ok = t->ndim == nd;
    for (int d = 0; ok && d < nd; d++) ok = d == axis || t->shape[d] == ref->shape[d];
    if (!ok) {
      char sr[128], sk[128];
      cv_shape_format(sr, sizeof sr, ref->ndim, ref->shape);
      cv_shape_format(sk, sizeof sk, t->ndim, t->shape);
      return cv_fail(CV_ESHAPE, "%s: %s %d has shape %s, incompatible with %s along axis %d", who, item,
                     k + 1, sk, sr, axis + 1);
    }
    *total += t->shape[axis];
  }
  return CV_OK;
}

cv_status cv_tensor_concat(cv_tensor *out, const cv_tensor *const *list, int n, int axis) {
  if (n < 1) return cv_fail(CV_EINVAL, "concat: needs at least one tensor");
  int nd = list[0]->ndim;
  if (axis < 0 || axis >= nd)
    return cv_fail(CV_EINVAL, "concat: axis %d out of range for tensors of rank %d", axis + 1, nd);
  int64_t total;
  cv_status st = check_blocks("concat", "tensor", list, n, list[0], axis, &total);
  if (st) return st;
  int ok = out->ndim == nd;
  for (int d = 0; ok && d < nd; d++)
    ok = out->shape[d] == (d == axis ? total : list[0]->shape[d]);
  if (!ok) return cv_fail(CV_ESHAPE, "concat: output has the wrong shape");
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= list[0]->shape[d];
  for (int d = axis + 1; d < nd; d++) inner *= list[0]->shape[d];
  size_t osz = cv_dtype_size(out->dtype);
  char *o = cv_tensor_data(out);
  for (int64_t i = 0; i < outer; i++)
    for (int k = 0; k < n; k++) {
      const cv_tensor *t = list[k];
      int64_t chunk = t->shape[axis] * inner;
      const char *s = (const char *)cv_tensor_data(t) + (size_t)(i * chunk) * cv_dtype_size(t->dtype);
      cv_convert(o, out->dtype, s, t->dtype, chunk);
      o += (size_t)chunk * osz;
    }
  return CV_OK;
}

/* src joined along axis -> outs (the blocks in order) */
cv_status cv_tensor_split(cv_tensor *const *outs, int n, const cv_tensor *src, int axis) {
  if (n < 1) return cv_fail(CV_EINVAL, "split: needs at least one output tensor");
  int nd = src->ndim;
  if (axis < 0 || axis >= nd)
    return cv_fail(CV_EINVAL, "split: axis %d out of range for a tensor of rank %d", axis + 1, nd);
  int64_t total;
  cv_status st = check_blocks("split", "output", (const cv_tensor *const *)outs, n, src, axis, &total);
  if (st) return st;
  if (total != src->shape[axis])
    return cv_fail(CV_ESHAPE, "split: the outputs add up to %lld along axis %d, the source has %lld",
                   (long long)total, axis + 1, (long long)src->shape[axis]);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= src->shape[d];
  for (int d = axis + 1; d < nd; d++) inner *= src->shape[d];
  size_t ssz = cv_dtype_size(src->dtype);
  const char *s = cv_tensor_data(src);
  for (int64_t i = 0; i < outer; i++)
    for (int k = 0; k < n; k++) {
      cv_tensor *t = outs[k];
      int64_t chunk = t->shape[axis] * inner;
      char *o = (char *)cv_tensor_data(t) + (size_t)(i * chunk) * cv_dtype_size(t->dtype);
      cv_convert(o, t->dtype, s, src->dtype, chunk);
      s += (size_t)chunk * ssz;
    }
  return CV_OK;
}

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
  int is_u8;
  int width;                  /* uint8: digits of the widest value */
  int exp_format;
  int pad_left, pad_right;    /* float: widths of the integer and fraction parts */
  int precision;              /* scientific: digits after the point */
} fmt;

static void fmt_init(fmt *f, const cv_tensor *t, const double *v, int64_t n) {
  memset(f, 0, sizeof *f);
  if (t->dtype == CV_UINT8) {
    f->is_u8 = 1;
    double mx = 0;
    for (int64_t i = 0; i < n; i++) mx = v[i] > mx ? v[i] : mx;
    f->width = n ? snprintf(NULL, 0, "%d", (int)mx) : 0;
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
