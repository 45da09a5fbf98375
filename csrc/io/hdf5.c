/* hdf5.c - the read-only HDF5 reader (see hdf5.h). Each entry point silences libhdf5's automatic
 * error printing for its duration and turns the innermost message of libhdf5's error stack into
 * the cv_fail reason. Objects are opened and closed within one call; nothing but the file id is
 * kept between calls. Sizes are checked before allocation: a dataset must fit the budget and, when
 * stored contiguously, inside the file. */
#include "io/hdf5.h"
#include "io/file.h"
#include "base/limits.h"
#include <unistd.h>
#include <hdf5.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cv_hdf5 {
  hid_t fid;
  int64_t file_size;
  char path[];
};

/* --- libhdf5's error stack: silenced during a call, its innermost message kept ------------ */

typedef struct quiet { H5E_auto2_t func; void *data; } quiet;

static void quiet_begin(quiet *q) {
  q->func = NULL;
  q->data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const quiet *q) {
  H5Eclear2(H5E_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *data) {
  if (n == 0 && e->desc) snprintf((char *)data, 200, "%s", e->desc);
  return 0;
}

/* The innermost libhdf5 message (where the error was detected), or "unknown error". */
static const char *h5_reason(char buf[200]) {
  buf[0] = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, buf);
  H5Eclear2(H5E_DEFAULT);
  return buf[0] ? buf : "unknown error";
}

static cv_status h5_fail(const cv_hdf5 *f, const char *obj, const char *what) {
  char buf[200];
  return cv_fail(CV_EFORMAT, "%s: %s: %s (%s)", f->path, obj, what, h5_reason(buf));
}

void cv_hdf5_strings_free(cv_hdf5_strings *s) {
  for (int i = 0; i < s->count; i++) free(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}

static cv_status strings_alloc(cv_hdf5_strings *s, int64_t count, const cv_hdf5 *f, const char *obj) {
  memset(s, 0, sizeof *s);
  s->items = calloc(count > 0 ? (size_t)count : 1, sizeof *s->items);
  if (!s->items) return cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, obj);
  return CV_OK;
}

/* --- open / close ---------------------------------------------------------------------------- */

/* HDF5 puts its superblock at 0, 512, 1024, 2048, ... (after a user block): its offset, or -1. */
static int64_t signature_at(FILE *fp, int64_t size) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (int64_t off = 0; off + 8 <= size; off = off ? off * 2 : 512) {
    unsigned char b[8];
    if (fseeko(fp, (off_t)off, SEEK_SET) != 0 || fread(b, 1, 8, fp) != 8) return -1;
    if (memcmp(b, sig, 8) == 0) return off;
  }
  return -1;
}

static uint64_t le_uint(const unsigned char *b, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | b[i];
  return v;
}

/* n bytes at off, zeros past the end of the file (as libhdf5 reads them); 0 on a read error */
static int read_at(FILE *fp, int64_t off, unsigned char *b, size_t n, int64_t size) {
  memset(b, 0, n);
  if (off >= size) return 1;
  size_t have = (uint64_t)(size - off) < n ? (size_t)(size - off) : n;
  return fseeko(fp, (off_t)off, SEEK_SET) == 0 && fread(b, 1, have, fp) == have;
}

/* libhdf5 allocates what a version 0/1 superblock's driver information block claims before
 * reading it (a 553-byte file made it ask for 2.8 GB: fuzz/regressions/hdf5/driver-info-size):
 * that claim is checked against the file first. Returns 0; -1 when the block's address is past the
 * end of the file, -2 when its size is (*claimed: the address or the size). */
static int driver_info_fits(FILE *fp, int64_t base, int64_t size, uint64_t *claimed) {
  unsigned char sb[64];
  if (!read_at(fp, base, sb, 24, size)) return 0;
  int version = sb[8], so = sb[13];
  if (version > 1 || (so != 2 && so != 4 && so != 8)) return 0;     /* libhdf5 refuses the rest itself */
  int at = version == 0 ? 24 : 28;                      /* base, free space, end of file, driver info */
  if (!read_at(fp, base + at, sb, (size_t)(4 * so), size)) return 0;
  uint64_t addr = le_uint(sb + 3 * so, so);
  uint64_t undefined = so == 8 ? UINT64_MAX : (((uint64_t)1 << (8 * so)) - 1);
  if (addr == undefined) return 0;
  unsigned char hdr[8];
  if (addr > (uint64_t)size || !read_at(fp, base + (int64_t)addr, hdr, 8, size)) {
    *claimed = addr;
    return -1;
  }
  uint64_t len = le_uint(hdr + 4, 4);                  /* version, 3 reserved, size of the information */
  if (len > (uint64_t)size || (uint64_t)base + addr + 16 + len > (uint64_t)size) {
    *claimed = len;
    return -2;
  }
  return 0;
}

cv_status cv_hdf5_open(cv_hdf5 **out, const char *path) {
  *out = NULL;
  int fd;
  int64_t fsize;
  cv_status ost = cv_file_open_regular(&fd, &fsize, path);   /* a FIFO is refused, not waited on */
  if (ost != CV_OK) return ost;
  FILE *fp = fdopen(fd, "rb");
  if (!fp) {
    close(fd);
    return cv_fail(CV_ENOMEM, "%s: out of memory", path);
  }
  struct stat sb;
  sb.st_size = (off_t)fsize;
  int64_t sig = signature_at(fp, (int64_t)sb.st_size);
  uint64_t claimed = 0;
  int fits = sig >= 0 ? driver_info_fits(fp, sig, (int64_t)sb.st_size, &claimed) : 0;
  fclose(fp);
  if (sig < 0) return cv_fail(CV_EFORMAT, "%s: not an HDF5 file (no signature)", path);
  if (fits < 0)
    return cv_fail(CV_EFORMAT, "%s: the superblock's driver information block (%s %llu) does not fit in a file of "
                   "%lld bytes (truncated or not an HDF5 file)", path, fits == -1 ? "at offset" : "claiming bytes:",
                   (unsigned long long)claimed, (long long)sb.st_size);

  size_t n = strlen(path);
  cv_hdf5 *f = malloc(sizeof *f + n + 1);
  if (!f) return cv_fail(CV_ENOMEM, "%s: out of memory", path);
  memcpy(f->path, path, n + 1);
  f->file_size = (int64_t)sb.st_size;

  /* libhdf5 1.10 leaks its file structure when H5Fopen fails on some corrupt files (found by
   * fuzz/fuzz_hdf5.c); its atexit H5close then loops on it and prints "infinite loop closing
   * library". Files are only read here, so nothing is lost by not closing the library at exit. */
  static int atexit_off;
  if (!atexit_off) { H5dont_atexit(); atexit_off = 1; }
  quiet q;
  quiet_begin(&q);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* closing the file closes whatever a failed call might have left open */
  if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  f->fid = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
  cv_status st = CV_OK;
  if (f->fid < 0) {
    char buf[200];
    st = cv_fail(CV_EFORMAT, "%s: cannot read the HDF5 file (%s)", path, h5_reason(buf));
  }
  if (fapl >= 0) H5Pclose(fapl);
  quiet_end(&q);
  if (st != CV_OK) { free(f); return st; }
  *out = f;
  return CV_OK;
}

void cv_hdf5_close(cv_hdf5 *f) {
  if (!f) return;
  quiet q;
  quiet_begin(&q);
  H5Fclose(f->fid);
  quiet_end(&q);
  free(f);
}

const char *cv_hdf5_path(const cv_hdf5 *f) { return f->path; }

/* --- objects --------------------------------------------------------------------------------- */

static const char *norm(const char *path) {
  return (!path || !*path) ? "/" : path;
}

/* 1 when every link along path exists (H5Lexists needs its parents to), 0 when one is missing,
 * -1 on a libhdf5 error. */
static int links_exist(hid_t fid, const char *path) {
  char buf[1024];
  size_t n = strlen(path);
  if (n >= sizeof buf) return -1;
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    if (i > 0 && buf[i - 1] == '/') continue;   /* "//" or a leading "/" */
    char c = buf[i];
    buf[i] = 0;
    htri_t e = (buf[0] == '/' && buf[1] == 0) ? 1 : H5Lexists(fid, buf, H5P_DEFAULT);
    buf[i] = c;
    if (e <= 0) return e < 0 ? -1 : 0;
  }
  return 1;
}

static cv_hdf5_kind kind_of_open(hid_t oid) {
  switch (H5Iget_type(oid)) {
    case H5I_GROUP: return CV_HDF5_GROUP;
    case H5I_DATASET: return CV_HDF5_DATASET;
    default: return CV_HDF5_OTHER;
  }
}

/* Opens the object at path (*oid, to be closed with H5Oclose); a missing object is an error. */
static cv_status open_object(hid_t *oid, cv_hdf5 *f, const char *path) {
  *oid = -1;
  if (strlen(path) >= 1024) return cv_fail(CV_EINVAL, "%s: %.60s...: path too long", f->path, path);
  if (strcmp(path, "/") != 0) {
    int e = links_exist(f->fid, path);
    if (e < 0) return h5_fail(f, path, "cannot resolve the path");
    if (e == 0) return cv_fail(CV_EINVAL, "%s: %s: no such object", f->path, path);
  }
  *oid = H5Oopen(f->fid, path, H5P_DEFAULT);
  if (*oid < 0) return h5_fail(f, path, "cannot open the object");
  return CV_OK;
}

cv_status cv_hdf5_kind_of(cv_hdf5_kind *kind, cv_hdf5 *f, const char *path) {
  path = norm(path);
  *kind = CV_HDF5_NONE;
  quiet q;
  quiet_begin(&q);
  cv_status st = CV_OK;
  int e = strcmp(path, "/") == 0 ? 1 : links_exist(f->fid, path);
  if (strlen(path) >= 1024) st = cv_fail(CV_EINVAL, "%s: %.60s...: path too long", f->path, path);
  else if (e < 0) st = h5_fail(f, path, "cannot resolve the path");
  if (e > 0) {
    hid_t oid = H5Oopen(f->fid, path, H5P_DEFAULT);
    if (oid < 0) st = h5_fail(f, path, "cannot open the object");   /* a dangling link */
    else { *kind = kind_of_open(oid); H5Oclose(oid); }
  }
  quiet_end(&q);
  return st;
}

cv_status cv_hdf5_children(cv_hdf5_strings *out, cv_hdf5 *f, const char *group) {
  group = norm(group);
  memset(out, 0, sizeof *out);
  quiet q;
  quiet_begin(&q);
  hid_t gid = -1;
  cv_status st = open_object(&gid, f, group);
  if (st != CV_OK) goto done;
  if (kind_of_open(gid) != CV_HDF5_GROUP) {
    st = cv_fail(CV_EINVAL, "%s: %s: not a group", f->path, group);
    goto done;
  }
  H5G_info_t info;
  if (H5Gget_info(gid, &info) < 0) { st = h5_fail(f, group, "cannot read the group"); goto done; }
  /* each link takes well over 8 bytes of the file */
  if (info.nlinks > (hsize_t)(f->file_size / 8) || info.nlinks > (1u << 24)) {
    st = cv_fail(CV_EFORMAT, "%s: %s: %llu children do not fit in the file", f->path, group,
                 (unsigned long long)info.nlinks);
    goto done;
  }
  if ((st = strings_alloc(out, (int64_t)info.nlinks, f, group)) != CV_OK) goto done;
  out->is_array = 1;
  for (hsize_t i = 0; i < info.nlinks; i++) {
    ssize_t len = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
    if (len < 0) { st = h5_fail(f, group, "cannot read a child's name"); goto done; }
    char *s = malloc((size_t)len + 1);
    if (!s) { st = cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, group); goto done; }
    out->items[out->count++] = s;
    if (H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, s, (size_t)len + 1, H5P_DEFAULT) < 0) {
      st = h5_fail(f, group, "cannot read a child's name");
      goto done;
    }
  }
done:
  if (gid >= 0) H5Oclose(gid);
  if (st != CV_OK) cv_hdf5_strings_free(out);
  quiet_end(&q);
  return st;
}

typedef struct attr_names { cv_hdf5_strings *out; int cap; int nomem; } attr_names;

static herr_t add_attr_name(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)loc; (void)info;
  attr_names *a = data;
  if (a->out->count == a->cap) {
    if (a->cap >= (1 << 20)) { a->nomem = 2; return -1; }
    int cap = a->cap ? 2 * a->cap : 8;
    char **items = realloc(a->out->items, (size_t)cap * sizeof *items);
    if (!items) { a->nomem = 1; return -1; }
    a->out->items = items;
    a->cap = cap;
  }
  char *s = strdup(name);
  if (!s) { a->nomem = 1; return -1; }
  a->out->items[a->out->count++] = s;
  return 0;
}

cv_status cv_hdf5_attribute_names(cv_hdf5_strings *out, cv_hdf5 *f, const char *path) {
  path = norm(path);
  memset(out, 0, sizeof *out);
  quiet q;
  quiet_begin(&q);
  hid_t oid = -1;
  cv_status st = open_object(&oid, f, path);
  if (st != CV_OK) goto done;
  out->is_array = 1;
  attr_names a = {out, 0, 0};
  if (H5Aiterate2(oid, H5_INDEX_NAME, H5_ITER_INC, NULL, add_attr_name, &a) < 0) {
    if (a.nomem == 1) st = cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, path);
    else if (a.nomem == 2) st = cv_fail(CV_EFORMAT, "%s: %s: more than 2^20 attributes", f->path, path);
    else st = h5_fail(f, path, "cannot list the attributes");
  }
done:
  if (oid >= 0) H5Oclose(oid);
  if (st != CV_OK) cv_hdf5_strings_free(out);
  quiet_end(&q);
  return st;
}

/* The number of elements of a scalar or 1-D dataspace (0 for a null one); -1 for other ranks. */
static int64_t space_count(hid_t sid, int *is_array) {
  H5S_class_t c = H5Sget_simple_extent_type(sid);
  *is_array = 0;
  if (c == H5S_NULL) { *is_array = 1; return 0; }
  if (c == H5S_SCALAR) return 1;
  if (c != H5S_SIMPLE || H5Sget_simple_extent_ndims(sid) != 1) return -1;
  hsize_t d;
  H5Sget_simple_extent_dims(sid, &d, NULL);
  *is_array = 1;
  return d > (hsize_t)INT32_MAX ? -1 : (int64_t)d;
}

/* fixed-length strings: count items of `size` bytes each, padding removed */
static cv_status read_fixed(cv_hdf5_strings *out, hid_t aid, hid_t tid, int64_t count,
                            cv_hdf5 *f, const char *obj) {
  size_t size = H5Tget_size(tid);
  if (size == 0 || (int64_t)size > f->file_size || count > f->file_size / (int64_t)size)
    return cv_fail(CV_EFORMAT, "%s: %s: attribute of %lld strings of %zu bytes does not fit in the file",
                   f->path, obj, (long long)count, size);
  char *raw = malloc((size_t)count * size + 1);
  if (!raw) return cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, obj);
  cv_status st = CV_OK;
  hid_t mt = H5Tcopy(tid);
  if (mt < 0 || H5Aread(aid, mt, raw) < 0) { st = h5_fail(f, obj, "cannot read the attribute"); goto done; }
  H5T_str_t pad = H5Tget_strpad(tid);
  for (int64_t i = 0; i < count; i++) {
    const char *p = raw + i * (int64_t)size;
    size_t len = 0;
    while (len < size && p[len]) len++;
    if (pad == H5T_STR_SPACEPAD) while (len > 0 && p[len - 1] == ' ') len--;
    char *s = malloc(len + 1);
    if (!s) { st = cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, obj); goto done; }
    memcpy(s, p, len);
    s[len] = 0;
    out->items[out->count++] = s;
  }
done:
  if (mt >= 0) H5Tclose(mt);
  free(raw);
  return st;
}

/* variable-length strings: libhdf5 allocates each; they are copied, then reclaimed */
static cv_status read_vlen(cv_hdf5_strings *out, hid_t aid, hid_t tid, hid_t sid, int64_t count,
                           cv_hdf5 *f, const char *obj) {
  /* each stored item takes at least a 16-byte global heap reference in the file */
  if (count > f->file_size / 16)
    return cv_fail(CV_EFORMAT, "%s: %s: attribute of %lld strings does not fit in the file",
                   f->path, obj, (long long)count);
  char **raw = calloc(count > 0 ? (size_t)count : 1, sizeof *raw);
  if (!raw) return cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, obj);
  cv_status st = CV_OK;
  int read = 0;
  hid_t mt = H5Tcopy(H5T_C_S1);
  if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(tid)) < 0 ||
      H5Aread(aid, mt, raw) < 0) {
    st = h5_fail(f, obj, "cannot read the attribute");
    goto done;
  }
  read = 1;
  for (int64_t i = 0; i < count; i++) {
    const char *p = raw[i] ? raw[i] : "";
    size_t len = strlen(p);
    char *s = malloc(len + 1);
    if (!s) { st = cv_fail(CV_ENOMEM, "%s: %s: out of memory", f->path, obj); goto done; }
    memcpy(s, p, len + 1);
    out->items[out->count++] = s;
  }
done:
  if (read) {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(mt, sid, H5P_DEFAULT, raw);
#else
    H5Dvlen_reclaim(mt, sid, H5P_DEFAULT, raw);
#endif
  }
  if (mt >= 0) H5Tclose(mt);
  free(raw);
  return st;
}

cv_status cv_hdf5_attribute(cv_hdf5_strings *out, int *found, cv_hdf5 *f, const char *path,
                            const char *name) {
  path = norm(path);
  memset(out, 0, sizeof *out);
  *found = 0;
  char obj[1200];
  snprintf(obj, sizeof obj, "%s (attribute %s)", path, name);
  quiet q;
  quiet_begin(&q);
  hid_t oid = -1, aid = -1, tid = -1, sid = -1;
  cv_status st = open_object(&oid, f, path);
  if (st != CV_OK) goto done;
  htri_t ex = H5Aexists(oid, name);
  if (ex < 0) { st = h5_fail(f, obj, "cannot look up the attribute"); goto done; }
  if (ex == 0) goto done;
  *found = 1;
  aid = H5Aopen(oid, name, H5P_DEFAULT);
  if (aid < 0 || (tid = H5Aget_type(aid)) < 0 || (sid = H5Aget_space(aid)) < 0) {
    st = h5_fail(f, obj, "cannot open the attribute");
    goto done;
  }
  int is_array;
  int64_t count = space_count(sid, &is_array);
  if (count < 0) {
    st = cv_fail(CV_EFORMAT, "%s: %s: only scalar and 1-D attributes are read", f->path, obj);
    goto done;
  }
  H5T_class_t cls = H5Tget_class(tid);
  if (cls != H5T_STRING) {
    /* Keras 2 writes np.asarray([]) (float64, shape (0,)) for a layer without weights */
    if (count == 0 && (cls == H5T_FLOAT || cls == H5T_INTEGER)) {
      st = strings_alloc(out, 0, f, obj);
      out->is_array = 1;
      goto done;
    }
    st = cv_fail(CV_EDTYPE, "%s: %s: not a string attribute", f->path, obj);
    goto done;
  }
  if ((st = strings_alloc(out, count, f, obj)) != CV_OK) goto done;
  out->is_array = is_array;
  if (count == 0) goto done;
  htri_t var = H5Tis_variable_str(tid);
  if (var < 0) st = h5_fail(f, obj, "cannot read the attribute's type");
  else if (var) st = read_vlen(out, aid, tid, sid, count, f, obj);
  else st = read_fixed(out, aid, tid, count, f, obj);
done:
  if (sid >= 0) H5Sclose(sid);
  if (tid >= 0) H5Tclose(tid);
  if (aid >= 0) H5Aclose(aid);
  if (oid >= 0) H5Oclose(oid);
  if (st != CV_OK) cv_hdf5_strings_free(out);
  quiet_end(&q);
  return st;
}

cv_status cv_hdf5_dataset(cv_tensor *out, cv_hdf5 *f, const char *path) {
  path = norm(path);
  memset(out, 0, sizeof *out);
  quiet q;
  quiet_begin(&q);
  hid_t did = -1, tid = -1, sid = -1, pid = -1;
  cv_status st = open_object(&did, f, path);
  if (st != CV_OK) goto done;
  if (kind_of_open(did) != CV_HDF5_DATASET) {
    st = cv_fail(CV_EINVAL, "%s: %s: not a dataset", f->path, path);
    goto done;
  }
  if ((tid = H5Dget_type(did)) < 0 || (sid = H5Dget_space(did)) < 0 || (pid = H5Dget_create_plist(did)) < 0) {
    st = h5_fail(f, path, "cannot read the dataset's header");
    goto done;
  }
  H5T_class_t cls = H5Tget_class(tid);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    st = cv_fail(CV_EDTYPE, "%s: %s: elements are not numbers (HDF5 type class %d)", f->path, path, (int)cls);
    goto done;
  }
  int ndim = H5Sget_simple_extent_ndims(sid);
  if (H5Sget_simple_extent_type(sid) != H5S_SIMPLE && H5Sget_simple_extent_type(sid) != H5S_SCALAR) {
    st = cv_fail(CV_EFORMAT, "%s: %s: the dataset has no data (null dataspace)", f->path, path);
    goto done;
  }
  if (ndim < 0 || ndim > CV_MAX_DIMS) {
    st = cv_fail(CV_EFORMAT, "%s: %s: %d dimensions (at most %d are read)", f->path, path, ndim, CV_MAX_DIMS);
    goto done;
  }
  hsize_t dims[CV_MAX_DIMS];
  int64_t shape[CV_MAX_DIMS];
  if (ndim > 0) H5Sget_simple_extent_dims(sid, dims, NULL);
  size_t esize = H5Tget_size(tid);
  int64_t esz = (int64_t)(esize > 4 ? esize : 4), n = 1;
  cv_limits lim;
  cv_limits_get(&lim);
  int64_t budget = lim.max_tensor_bytes < CV_HDF5_MAX_BYTES ? lim.max_tensor_bytes : CV_HDF5_MAX_BYTES;
  for (int i = 0; i < ndim; i++) {
    if (dims[i] > (hsize_t)budget || (dims[i] > 0 && n > budget / esz / (int64_t)dims[i])) {
      n = -1;
      break;
    }
    shape[i] = (int64_t)dims[i];
    n *= shape[i];
  }
  if (n < 0 || esize == 0) {
    st = cv_fail(CV_EFORMAT, "%s: %s: the dataset is larger than the %lld-byte budget "
                 "(cv.set_limits{max_tensor_bytes = ...})", f->path, path, (long long)budget);
    goto done;
  }
  /* stored contiguously: the data must lie inside the file (a truncated or forged header) */
  int64_t stored = n * (int64_t)esize;
  hsize_t on_disk = H5Dget_storage_size(did);
  if ((int64_t)on_disk > f->file_size) {
    st = cv_fail(CV_EFORMAT, "%s: %s: the dataset's %llu stored bytes exceed the file's %lld", f->path,
                 path, (unsigned long long)on_disk, (long long)f->file_size);
    goto done;
  }
  if (H5Pget_layout(pid) == H5D_CONTIGUOUS) {
    haddr_t addr = H5Dget_offset(did);
    if (addr != HADDR_UNDEF && (addr > (haddr_t)f->file_size || stored > f->file_size - (int64_t)addr)) {
      st = cv_fail(CV_EFORMAT, "%s: %s: the dataset's %lld bytes at offset %llu run past the end of the "
                   "file (%lld bytes; truncated?)", f->path, path, (long long)stored,
                   (unsigned long long)addr, (long long)f->file_size);
      goto done;
    }
  }
  if ((st = cv_tensor_alloc_uninit(out, CV_FLOAT32, ndim, shape)) != CV_OK) goto done;
  if (n > 0 && H5Dread(did, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, cv_tensor_f32(out)) < 0) {
    cv_tensor_release(out);
    st = h5_fail(f, path, "cannot read the dataset");
  }
done:
  if (pid >= 0) H5Pclose(pid);
  if (sid >= 0) H5Sclose(sid);
  if (tid >= 0) H5Tclose(tid);
  if (did >= 0) H5Oclose(did);
  quiet_end(&q);
  return st;
}
