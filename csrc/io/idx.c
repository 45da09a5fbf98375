/* idx.c - idx reader (see idx.h). The header is checked before anything is allocated, so a corrupt
 * size field cannot ask for terabytes: the data must fit the max_tensor_bytes budget and the file
 * (a plain file holds every byte it claims; gzip's deflate expands at most 1032:1). */
#include "io/idx.h"
#include "io/file.h"
#include "base/limits.h"
#include <unistd.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <zlib.h>

#define IDX_MAX_BYTES ((int64_t)1 << 34)

/* Reads exactly n bytes; returns how many were read (short on EOF), -1 on a zlib error. */
static int64_t read_full(gzFile f, void *buf, int64_t n) {
  int64_t got = 0;
  while (got < n) {
    int64_t want = n - got;
    if (want > (1 << 30)) want = 1 << 30;
    int r = gzread(f, (char *)buf + got, (unsigned)want);
    if (r < 0) return -1;
    if (r == 0) break;
    got += r;
  }
  return got;
}

static uint32_t be32(const unsigned char *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int elem_size(int type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

static cv_status zerr(gzFile f, const char *path) {
  int code;
  const char *m = gzerror(f, &code);
  return cv_fail(CV_EFORMAT, "%s: corrupt compressed data (%s)", path,
                 code == Z_ERRNO ? strerror(errno) : m);
}

cv_status cv_idx_load(cv_tensor *out, const char *path) {
  memset(out, 0, sizeof *out);
  int fd;
  int64_t fsize;
  cv_status ost = cv_file_open_regular(&fd, &fsize, path);   /* no FIFO, no device */
  if (ost != CV_OK) return ost;
  gzFile f = gzdopen(fd, "rb");
  if (!f) {
    close(fd);
    return cv_fail(CV_ENOMEM, "%s: out of memory", path);
  }
  cv_status st = CV_OK;
  unsigned char hdr[4 + 4 * CV_MAX_DIMS];
  int64_t got = read_full(f, hdr, 4);
  if (got < 0) { st = zerr(f, path); goto done; }
  if (got < 4) { st = cv_fail(CV_EFORMAT, "%s: not an idx file (only %d bytes)", path, (int)got); goto done; }
  int type = hdr[2], ndim = hdr[3], esize = elem_size(type);
  if (hdr[0] != 0 || hdr[1] != 0 || esize == 0 || ndim < 1 || ndim > CV_MAX_DIMS) {
    st = cv_fail(CV_EFORMAT, "%s: not an idx file (magic 0x%02x%02x%02x%02x)", path, hdr[0], hdr[1],
                 hdr[2], hdr[3]);
    goto done;
  }
  got = read_full(f, hdr + 4, 4 * (int64_t)ndim);
  if (got < 0) { st = zerr(f, path); goto done; }
  if (got < 4 * ndim) { st = cv_fail(CV_EFORMAT, "%s: truncated idx header", path); goto done; }
  int64_t shape[CV_MAX_DIMS], n = 1;
  for (int i = 0; i < ndim; i++) {
    shape[i] = be32(hdr + 4 + 4 * i);
    if (shape[i] == 0 || n > IDX_MAX_BYTES / shape[i]) n = -1;
    if (n < 0) break;
    n *= shape[i];
  }
  if (n < 0 || n > IDX_MAX_BYTES / esize) {
    st = cv_fail(CV_EFORMAT, "%s: idx header gives an empty or impossibly large shape", path);
    goto done;
  }
  int64_t nbytes = n * esize;
  cv_limits lim;
  cv_limits_get(&lim);
  int64_t held = gzdirect(f) ? fsize - 4 - 4 * (int64_t)ndim : cv_mul_size(fsize, 1032) + 1024;
  if (nbytes > held) {
    st = cv_fail(CV_EFORMAT, "%s: truncated idx data (the header claims %lld bytes, the file holds %s%lld)",
                 path, (long long)nbytes, gzdirect(f) ? "" : "at most ", (long long)(held < 0 ? 0 : held));
    goto done;
  }
  if ((type == 0x08 ? n : 4 * n) > lim.max_tensor_bytes) {
    st = cv_fail(CV_EFORMAT, "%s: idx data too large (%lld bytes; the limit is %lld: "
                 "cv.set_limits{max_tensor_bytes = ...})", path, (long long)(type == 0x08 ? n : 4 * n),
                 (long long)lim.max_tensor_bytes);
    goto done;
  }
  st = cv_tensor_alloc(out, type == 0x08 ? CV_UINT8 : CV_FLOAT32, ndim, shape);
  if (st != CV_OK) goto done;
  if (type == 0x08) {
    got = read_full(f, cv_tensor_u8(out), nbytes);
  } else {
    /* read the raw big-endian elements into the tail of the float buffer, convert front to back
     * (each raw element ends no earlier than the float it becomes, so nothing is overwritten) */
    unsigned char *raw = (unsigned char *)cv_tensor_f32(out) + (4 * n - nbytes > 0 ? 4 * n - nbytes : 0);
    unsigned char *tmp = NULL;
    if (esize == 8) {   /* float64 does not fit in place */
      tmp = malloc((size_t)nbytes);
      if (!tmp) { st = cv_fail(CV_ENOMEM, "%s: out of memory", path); goto fail; }
      raw = tmp;
    }
    got = read_full(f, raw, nbytes);
    float *o = cv_tensor_f32(out);
    if (got == nbytes)
      for (int64_t i = 0; i < n; i++) {
        const unsigned char *b = raw + i * esize;
        switch (type) {
          case 0x09: o[i] = (float)(int8_t)b[0]; break;
          case 0x0B: o[i] = (float)(int16_t)(b[0] << 8 | b[1]); break;
          case 0x0C: o[i] = (float)(int32_t)be32(b); break;
          case 0x0D: { uint32_t u = be32(b); float v; memcpy(&v, &u, 4); o[i] = v; break; }
          default: {
            uint64_t u = (uint64_t)be32(b) << 32 | be32(b + 4);
            double v; memcpy(&v, &u, 8); o[i] = (float)v;
          }
        }
      }
    free(tmp);
  }
  if (got < 0) { st = zerr(f, path); goto fail; }
  if (got < nbytes) {
    st = cv_fail(CV_EFORMAT, "%s: truncated idx data (%lld of %lld bytes)", path, (long long)got,
                 (long long)nbytes);
    goto fail;
  }
  goto done;
fail:
  cv_tensor_release(out);
done:
  gzclose(f);
  return st;
}
