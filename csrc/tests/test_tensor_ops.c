/* test_tensor_ops.c - broadcasting arithmetic and reductions of tensor_ops.c against naive
 * index-by-index references on random shapes (1-sized axes, missing leading axes, scalars),
 * plus conversion, gathering, masks, concatenation and the numpy text form. */
#include "cvision.h"
#include "ctest.h"
#include <stdlib.h>
#include <string.h>

static void alloc(cv_tensor *t, cv_dtype dt, int nd, const int64_t *shape) {
  if (cv_tensor_alloc(t, dt, nd, shape) != CV_OK) { fprintf(stderr, "alloc failed\n"); exit(2); }
}

static void fill_random(cv_tensor *t) {
  for (int64_t i = 0; i < t->numel; i++) {
    if (t->dtype == CV_UINT8) cv_tensor_u8(t)[i] = (uint8_t)cv_rng_below(256);
    else cv_tensor_f32(t)[i] = (float)(int)cv_rng_below(9) - 4.0f + 0.5f * (float)cv_rng_below(2);
  }
}

/* flat position in x (right-aligned to the output's nd axes) of output index idx */
static int64_t bpos(const cv_tensor *x, int nd, const int64_t *idx) {
  int64_t p = 0;
  for (int d = 0; d < x->ndim; d++) {
    int od = d + nd - x->ndim;
    p = p * x->shape[d] + (x->shape[d] == 1 ? 0 : idx[od]);
  }
  return p;
}

static double ref_op(cv_binop op, double x, double y, int u8) {
  double r = 0;
  switch (op) {
    case CV_OP_ADD: r = x + y; break;
    case CV_OP_SUB: r = x - y; break;
    case CV_OP_MUL: r = x * y; break;
    case CV_OP_DIV: r = (float)x / (float)y; break;
    case CV_OP_POW: r = powf((float)x, (float)y); break;
    case CV_OP_MAXIMUM: r = x > y ? x : y; break;
    case CV_OP_MOD: r = (float)x - floorf((float)x / (float)y) * (float)y; break;
    case CV_OP_FLOORDIV: r = floorf((float)x / (float)y); break;
    case CV_OP_MINIMUM: r = x < y ? x : y; break;
    case CV_OP_EQ: r = x == y; break;
    case CV_OP_NE: r = x != y; break;
    case CV_OP_LT: r = x < y; break;
    case CV_OP_GT: r = x > y; break;
    case CV_OP_LE: r = x <= y; break;
    case CV_OP_GE: r = x >= y; break;
  }
  if (u8) r = (double)(uint8_t)(int64_t)r;
  return (float)r;
}

static void test_broadcast_random(void) {
  int bad = 0, trials = 0;
  for (int trial = 0; trial < 300; trial++) {
    int64_t full[4], as[4], bs[4];
    int nd = 1 + (int)cv_rng_below(4);
    for (int d = 0; d < nd; d++) full[d] = 1 + (int64_t)cv_rng_below(5);
    int an = 1 + (int)cv_rng_below((uint64_t)nd), bn = 1 + (int)cv_rng_below((uint64_t)nd);
    if (cv_rng_below(2)) an = nd; else bn = nd;
    for (int d = 0; d < an; d++) as[d] = cv_rng_below(3) ? full[d + nd - an] : 1;
    for (int d = 0; d < bn; d++) bs[d] = cv_rng_below(3) ? full[d + nd - bn] : 1;
    cv_binop op = (cv_binop)cv_rng_below(CV_OP_GE + 1);
    int u8 = cv_rng_below(3) == 0 && op != CV_OP_DIV && op != CV_OP_POW && op != CV_OP_MOD &&
             op != CV_OP_FLOORDIV;
    cv_dtype dt = u8 ? CV_UINT8 : CV_FLOAT32;
    cv_tensor a, b, o;
    alloc(&a, dt, an, as);
    alloc(&b, dt, bn, bs);
    fill_random(&a);
    fill_random(&b);
    int ond;
    int64_t os[4];
    CHECK(cv_broadcast_shape(&ond, os, an, as, bn, bs) == CV_OK, "broadcast shape");
    cv_dtype rdt = cv_binop_dtype(op, dt, dt);
    alloc(&o, rdt, ond, os);
    CHECK(cv_tensor_binary(&o, &a, &b, op) == CV_OK, "binary: %s", cv_last_error());
    int64_t idx[4] = {0};
    for (int64_t i = 0; i < o.numel; i++) {
      int64_t r = i;
      for (int d = ond - 1; d >= 0; d--) { idx[d] = r % os[d]; r /= os[d]; }
      double x = cv_tensor_get_flat(&a, bpos(&a, ond, idx));
      double y = cv_tensor_get_flat(&b, bpos(&b, ond, idx));
      double want = ref_op(op, x, y, rdt == CV_UINT8 && !cv_binop_is_compare(op));
      double got = cv_tensor_get_flat(&o, i);
      if (!(got == want || (got != got && want != want))) {
        if (bad++ < 5) fprintf(stderr, "op %d: at %lld got %g want %g\n", op, (long long)i, got, want);
      }
    }
    trials++;
    cv_tensor_release(&a);
    cv_tensor_release(&b);
    cv_tensor_release(&o);
  }
  CHECK(bad == 0, "random broadcasting: %d wrong elements over %d trials", bad, trials);
}

static void test_broadcast_cases(void) {
  int64_t s23[2] = {2, 3}, s3[1] = {3}, s2[1] = {2}, s21[2] = {2, 1};
  cv_tensor a, b, o, c;
  alloc(&a, CV_FLOAT32, 2, s23);
  alloc(&b, CV_FLOAT32, 1, s3);
  for (int i = 0; i < 6; i++) cv_tensor_f32(&a)[i] = (float)i;
  for (int i = 0; i < 3; i++) cv_tensor_f32(&b)[i] = (float)(10 * (i + 1));
  alloc(&o, CV_FLOAT32, 2, s23);
  CHECK(cv_tensor_binary(&o, &a, &b, CV_OP_ADD) == CV_OK, "(2,3)+(3)");
  float want[6] = {10, 21, 32, 13, 24, 35};
  for (int i = 0; i < 6; i++) CHECK(cv_tensor_f32(&o)[i] == want[i], "(2,3)+(3) at %d", i);
  /* in place: a += b */
  CHECK(cv_tensor_binary(&a, &a, &b, CV_OP_ADD) == CV_OK, "in place");
  for (int i = 0; i < 6; i++) CHECK(cv_tensor_f32(&a)[i] == want[i], "in place at %d", i);
  /* a (2,3) does not broadcast with (2) */
  cv_tensor_release(&b);
  alloc(&b, CV_FLOAT32, 1, s2);
  CHECK(cv_tensor_binary(&o, &a, &b, CV_OP_ADD) == CV_ESHAPE, "(2,3)+(2) refused");
  CHECK(strstr(cv_last_error(), "(2, 3) and (2,)") != NULL, "message: %s", cv_last_error());
  /* in place into a smaller output is refused */
  cv_tensor_release(&b);
  alloc(&b, CV_FLOAT32, 2, s21);
  CHECK(cv_tensor_binary(&b, &b, &a, CV_OP_ADD) == CV_ESHAPE, "(2,1) += (2,3) refused");
  /* scalar, both orders */
  CHECK(cv_tensor_binary_scalar(&o, &a, 1.0, CV_OP_SUB, 1) == CV_OK, "1 - a");
  CHECK(cv_tensor_f32(&o)[0] == -9.0f && cv_tensor_f32(&o)[5] == -34.0f, "1 - a values");
  CHECK(cv_tensor_binary_scalar(&o, &a, 2.0, CV_OP_DIV, 0) == CV_OK, "a / 2");
  CHECK(cv_tensor_f32(&o)[1] == 10.5f, "a / 2 values");
  /* uint8 wraps */
  cv_tensor u, v;
  int64_t s4[1] = {4};
  alloc(&u, CV_UINT8, 1, s4);
  alloc(&v, CV_UINT8, 1, s4);
  uint8_t uv[4] = {250, 3, 0, 128}, vv[4] = {10, 5, 1, 2};
  memcpy(cv_tensor_u8(&u), uv, 4);
  memcpy(cv_tensor_u8(&v), vv, 4);
  cv_tensor w;
  alloc(&w, CV_UINT8, 1, s4);
  CHECK(cv_tensor_binary(&w, &u, &v, CV_OP_ADD) == CV_OK, "u8 add");
  CHECK(cv_tensor_u8(&w)[0] == 4 && cv_tensor_u8(&w)[1] == 8, "u8 add wraps");
  CHECK(cv_tensor_binary(&w, &u, &v, CV_OP_SUB) == CV_OK && cv_tensor_u8(&w)[2] == 255, "u8 sub wraps");
  CHECK(cv_tensor_binary(&w, &u, &v, CV_OP_MUL) == CV_OK && cv_tensor_u8(&w)[3] == 0, "u8 mul wraps");
  CHECK(cv_binop_dtype(CV_OP_DIV, CV_UINT8, CV_UINT8) == CV_FLOAT32, "u8 / u8 is float32");
  CHECK(cv_binop_dtype(CV_OP_ADD, CV_UINT8, CV_FLOAT32) == CV_FLOAT32, "u8 + f32 is float32");
  CHECK(cv_binop_dtype(CV_OP_LT, CV_FLOAT32, CV_FLOAT32) == CV_UINT8, "comparison is uint8");
  /* assign broadcasts a row into a matrix */
  alloc(&c, CV_FLOAT32, 2, s23);
  cv_tensor_release(&b);
  alloc(&b, CV_UINT8, 1, s3);
  cv_tensor_u8(&b)[0] = 1; cv_tensor_u8(&b)[1] = 2; cv_tensor_u8(&b)[2] = 3;
  CHECK(cv_tensor_assign(&c, &b) == CV_OK, "assign (3) into (2,3)");
  CHECK(cv_tensor_f32(&c)[3] == 1.0f && cv_tensor_f32(&c)[5] == 3.0f, "assign values");
  cv_tensor_release(&a); cv_tensor_release(&b); cv_tensor_release(&o); cv_tensor_release(&c);
  cv_tensor_release(&u); cv_tensor_release(&v); cv_tensor_release(&w);
}

static void test_reductions(void) {
  int bad = 0;
  for (int trial = 0; trial < 100; trial++) {
    int nd = 1 + (int)cv_rng_below(4);
    int64_t shape[4], os[4];
    for (int d = 0; d < nd; d++) shape[d] = 1 + (int64_t)cv_rng_below(5);
    int axis = (int)cv_rng_below((uint64_t)nd);
    cv_reduce op = (cv_reduce)cv_rng_below(CV_RED_ARGMIN + 1);
    cv_dtype dt = cv_rng_below(2) ? CV_UINT8 : CV_FLOAT32;
    cv_tensor t, o;
    alloc(&t, dt, nd, shape);
    fill_random(&t);
    int ond = 0;
    for (int d = 0; d < nd; d++) if (d != axis) os[ond++] = shape[d];
    alloc(&o, CV_FLOAT32, ond, os);
    CHECK(cv_tensor_reduce_axis(&o, &t, axis, op, 1) == CV_OK, "reduce_axis: %s", cv_last_error());
    int64_t outer = 1, inner = 1, n = shape[axis];
    for (int d = 0; d < axis; d++) outer *= shape[d];
    for (int d = axis + 1; d < nd; d++) inner *= shape[d];
    for (int64_t a = 0; a < outer; a++)
      for (int64_t c = 0; c < inner; c++) {
        double s = 0, best = 0;
        int64_t bi = 0;
        for (int64_t k = 0; k < n; k++) {
          double v = cv_tensor_get_flat(&t, (a * n + k) * inner + c);
          s += v;
          int better = op == CV_RED_MAX || op == CV_RED_ARGMAX ? v > best : v < best;
          if (k == 0 || better) { best = v; bi = k; }
        }
        double want = op == CV_RED_SUM ? s : op == CV_RED_MEAN ? s / (double)n
                    : op == CV_RED_MAX || op == CV_RED_MIN ? best : (double)(bi + 1);
        double got = cv_tensor_get_flat(&o, a * inner + c);
        if (fabs(got - (float)want) > 1e-4 * (1 + fabs(want))) {
          if (bad++ < 5) fprintf(stderr, "reduce op %d axis %d: got %g want %g\n", op, axis, got, want);
        }
      }
    cv_tensor_release(&t);
    cv_tensor_release(&o);
  }
  CHECK(bad == 0, "random axis reductions: %d wrong", bad);

  /* whole-tensor reductions accumulate in double */
  int64_t big[1] = {1000000};
  cv_tensor t;
  alloc(&t, CV_FLOAT32, 1, big);
  cv_tensor_fill(&t, 0.1);
  double v;
  int64_t i;
  CHECK(cv_tensor_reduce_all(&t, CV_RED_SUM, &v, NULL) == CV_OK, "sum");
  CHECK_CLOSE(v, 100000.0, 0.01, 0, "sum of a million 0.1f in double");
  cv_tensor_f32(&t)[777] = 5.0f;
  cv_tensor_f32(&t)[999] = -2.0f;
  CHECK(cv_tensor_reduce_all(&t, CV_RED_ARGMAX, &v, &i) == CV_OK && i == 777 && v == 5.0, "argmax");
  CHECK(cv_tensor_reduce_all(&t, CV_RED_MIN, &v, &i) == CV_OK && i == 999 && v == -2.0, "min");
  cv_tensor_f32(&t)[5] = NAN;
  CHECK(cv_tensor_reduce_all(&t, CV_RED_MAX, &v, &i) == CV_OK && v != v && i == 5, "NaN wins max");
  cv_tensor_release(&t);
  int64_t zero[1] = {0};
  alloc(&t, CV_FLOAT32, 1, zero);
  CHECK(cv_tensor_reduce_all(&t, CV_RED_SUM, &v, NULL) == CV_OK && v == 0.0, "empty sum 0");
  CHECK(cv_tensor_reduce_all(&t, CV_RED_MAX, &v, NULL) == CV_ESHAPE, "empty max refused");
  cv_tensor_release(&t);
}

static void test_conversion_and_rows(void) {
  float src[6] = {0.0f, 1.0f, 255.0f, 256.0f, -1.0f, 300.7f};
  uint8_t dst[6];
  cv_convert(dst, CV_UINT8, src, CV_FLOAT32, 6);
  uint8_t want[6] = {0, 1, 255, 0, 255, 44};
  CHECK(memcmp(dst, want, 6) == 0, "float -> uint8 wraps like numpy (%d %d %d %d %d %d)", dst[0],
        dst[1], dst[2], dst[3], dst[4], dst[5]);
  CHECK(cv_f2u8(NAN) == 0, "NaN -> 0");

  int64_t s[2] = {4, 3}, rows[3] = {3, 0, 3};
  cv_tensor t, g, m, sel, c, parts[2];
  alloc(&t, CV_FLOAT32, 2, s);
  cv_tensor_arange(&t, 0, 1);
  int64_t gs[2] = {3, 3};
  alloc(&g, CV_FLOAT32, 2, gs);
  CHECK(cv_tensor_gather_rows(&g, &t, rows, 3) == CV_OK, "gather");
  CHECK(cv_tensor_f32(&g)[0] == 9.0f && cv_tensor_f32(&g)[3] == 0.0f && cv_tensor_f32(&g)[8] == 11.0f,
        "gather values");
  int64_t badrow[3] = {0, 4, 1};
  CHECK(cv_tensor_gather_rows(&g, &t, badrow, 3) != CV_OK, "gather out of range refused");
  CHECK(strstr(cv_last_error(), "index 5 out of range for axis 1 of size 4") != NULL, "%s",
        cv_last_error());
  int64_t ms[1] = {4};
  alloc(&m, CV_UINT8, 1, ms);
  cv_tensor_u8(&m)[1] = 1;
  cv_tensor_u8(&m)[3] = 1;
  CHECK(cv_tensor_count_nonzero(&m) == 2, "count_nonzero");
  CHECK(cv_mask_kind(&t, &m, "x") == 1, "row mask");
  int64_t ss[2] = {2, 3};
  alloc(&sel, CV_FLOAT32, 2, ss);
  CHECK(cv_tensor_mask_select(&sel, &t, &m) == CV_OK, "mask select rows");
  CHECK(cv_tensor_f32(&sel)[0] == 3.0f && cv_tensor_f32(&sel)[3] == 9.0f, "mask select values");
  CHECK(cv_tensor_mask_fill(&t, &m, -1) == CV_OK && cv_tensor_f32(&t)[4] == -1.0f &&
        cv_tensor_f32(&t)[0] == 0.0f, "mask fill");
  int64_t p0[2] = {4, 1}, p1[2] = {4, 2}, cs[2] = {4, 3};
  alloc(&parts[0], CV_FLOAT32, 2, p0);
  alloc(&parts[1], CV_UINT8, 2, p1);
  cv_tensor_fill(&parts[0], 7);
  cv_tensor_fill(&parts[1], 8);
  alloc(&c, CV_FLOAT32, 2, cs);
  const cv_tensor *list[2] = {&parts[0], &parts[1]};
  CHECK(cv_tensor_concat(&c, list, 2, 1) == CV_OK, "concat axis 2");
  CHECK(cv_tensor_f32(&c)[0] == 7.0f && cv_tensor_f32(&c)[1] == 8.0f && cv_tensor_f32(&c)[3] == 7.0f,
        "concat values");
  CHECK(cv_tensor_concat(&c, list, 2, 0) == CV_ESHAPE, "concat along axis 1 refused (widths)");
  /* split, concat's inverse: random values round-trip through both, into float32 and uint8 */
  for (int64_t i = 0; i < c.numel; i++) cv_tensor_f32(&c)[i] = (float)(i % 13);
  cv_tensor_fill(&parts[0], -1);
  cv_tensor_fill(&parts[1], 0);
  cv_tensor *outs[2] = {&parts[0], &parts[1]};
  CHECK(cv_tensor_split(outs, 2, &c, 1) == CV_OK, "split axis 2");
  CHECK(cv_tensor_f32(&parts[0])[1] == 3.0f && cv_tensor_u8(&parts[1])[0] == 1 &&
        cv_tensor_u8(&parts[1])[7] == 11, "split values");
  cv_tensor back;
  alloc(&back, CV_FLOAT32, 2, cs);
  CHECK(cv_tensor_concat(&back, list, 2, 1) == CV_OK &&
        memcmp(cv_tensor_f32(&back), cv_tensor_f32(&c), (size_t)c.numel * 4) == 0, "split then concat");
  CHECK(cv_tensor_split(outs, 2, &c, 0) == CV_ESHAPE, "split along axis 1 refused (widths)");
  CHECK(cv_tensor_split(outs, 1, &c, 1) == CV_ESHAPE && strstr(cv_last_error(), "add up to 1"),
        "split: sizes must add up: %s", cv_last_error());
  CHECK(cv_tensor_split(outs, 2, &c, 2) == CV_EINVAL, "split: axis out of range");
  cv_tensor_release(&back);
  cv_tensor_release(&t); cv_tensor_release(&g); cv_tensor_release(&m); cv_tensor_release(&sel);
  cv_tensor_release(&c); cv_tensor_release(&parts[0]); cv_tensor_release(&parts[1]);
}

static void check_format(const cv_tensor *t, const char *want) {
  char *s = cv_tensor_format(t);
  CHECK(s && strcmp(s, want) == 0, "format:\n%s\nwanted:\n%s", s ? s : "(null)", want);
  free(s);
}

static void test_format(void) {
  cv_tensor t;
  int64_t s4[1] = {4}, s22[2] = {2, 2};
  alloc(&t, CV_UINT8, 1, s4);
  float v[4] = {0, 1, 255, 256};
  cv_convert(cv_tensor_u8(&t), CV_UINT8, v, CV_FLOAT32, 4);
  check_format(&t, "array([  0,   1, 255,   0], dtype=uint8)");
  cv_tensor_release(&t);
  alloc(&t, CV_FLOAT32, 2, s22);
  cv_tensor_arange(&t, 1, 1);
  check_format(&t, "array([[1., 2.],\n       [3., 4.]], dtype=float32)");
  cv_tensor_release(&t);
  int64_t big[1] = {2000};
  alloc(&t, CV_FLOAT32, 1, big);
  cv_tensor_arange(&t, 0, 1);
  check_format(&t, "array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n"
                   "       1.999e+03], shape=(2000,), dtype=float32)");
  cv_tensor_release(&t);
}

static void test_alloc_uninit(void) {
  cv_tensor t;
  int64_t s[2] = {3, 5};
  CHECK(cv_tensor_alloc_uninit(&t, CV_UINT8, 2, s) == CV_OK && t.numel == 15 &&
        t.storage->refcount == 1, "alloc_uninit");
  cv_tensor_fill(&t, 257);
  CHECK(cv_tensor_u8(&t)[14] == 1, "fill wraps 257 to 1");
  cv_tensor_release(&t);
  int64_t neg[1] = {-2};
  CHECK(cv_tensor_alloc_uninit(&t, CV_FLOAT32, 1, neg) == CV_ESHAPE && !t.storage, "bad shape");
}

/* int8: numpy's wrap-around casts (values from numpy 1.24:
 * np.array([-128, 1, 127, 128, 255, 256, -129, 300.7, -1.5]).astype(np.int8)), int8 <-> uint8
 * reinterpreting the byte, reductions, printing */
static void test_int8(void) {
  float src[9] = {-128, 1, 127, 128, 255, 256, -129, 300.7f, -1.5f};
  int8_t want[9] = {-128, 1, 127, -128, -1, 0, 127, 44, -1}, got[9];
  cv_convert(got, CV_INT8, src, CV_FLOAT32, 9);
  for (int i = 0; i < 9; i++) CHECK(got[i] == want[i], "f32 -> int8 at %d: %d, want %d", i, got[i], want[i]);
  uint8_t u[2];
  cv_convert(u, CV_UINT8, want, CV_INT8, 2);
  CHECK(u[0] == 128 && u[1] == 1, "int8 -> uint8 keeps the byte");
  float back[9];
  cv_convert(back, CV_FLOAT32, want, CV_INT8, 9);
  CHECK(back[0] == -128.0f && back[7] == 44.0f, "int8 -> f32");
  CHECK(cv_dtype_size(CV_INT8) == 1 && strcmp(cv_dtype_name(CV_INT8), "int8") == 0, "int8 size, name");
  cv_tensor t;
  int64_t s4[1] = {4};
  alloc(&t, CV_INT8, 1, s4);
  int8_t v[4] = {-128, 1, 127, -128};
  memcpy(cv_tensor_i8(&t), v, 4);
  double r;
  int64_t i;
  CHECK(cv_tensor_reduce_all(&t, CV_RED_SUM, &r, NULL) == CV_OK && r == -128.0, "int8 sum %g", r);
  CHECK(cv_tensor_reduce_all(&t, CV_RED_ARGMAX, &r, &i) == CV_OK && i == 2 && r == 127.0, "int8 argmax");
  CHECK(cv_tensor_get_flat(&t, 3) == -128.0, "int8 get_flat");
  cv_tensor_set_flat(&t, 1, 200);
  CHECK(cv_tensor_i8(&t)[1] == -56, "int8 set_flat wraps");
  char *str = cv_tensor_format(&t);
  CHECK(str && strcmp(str, "array([-128,  -56,  127, -128], dtype=int8)") == 0, "int8 repr: %s", str ? str : "(null)");
  free(str);
  cv_tensor_release(&t);
}

int main(void) {
  cv_rng_seed(42);
  test_alloc_uninit();
  test_broadcast_random();
  test_broadcast_cases();
  test_reductions();
  test_conversion_and_rows();
  test_format();
  test_int8();
  CTEST_END("tensor_ops");
}
