/* l_bytes.c - raw bytes of tensors and their checksums, for file formats (safetensors in
 * cvision.saving).
 * Bytes are always little-endian, whatever the host, so files move between machines. */
#include "lcv.h"
#include <string.h>
#include <zlib.h>
#include "base/sha256.h"
#include "io/file.h"
#include <stdlib.h>

static int host_is_le(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

/* Reverses each 4-byte group of n bytes (float32 on a big-endian host). */
static void swap4(unsigned char *p, size_t n) {
  for (size_t i = 0; i + 3 < n; i += 4) {
    unsigned char a = p[i], b = p[i + 1];
    p[i] = p[i + 3]; p[i + 1] = p[i + 2]; p[i + 2] = b; p[i + 3] = a;
  }
}

/* tobytes(t) --> string of t's elements, little-endian, row-major */
static int l_tobytes(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  size_t n = (size_t)t->numel * cv_dtype_size(t->dtype);
  if (n == 0) { lua_pushliteral(L, ""); return 1; }
  if (host_is_le() || t->dtype != CV_FLOAT32) {
    lua_pushlstring(L, (const char *)cv_tensor_data(t), n);
    return 1;
  }
  luaL_Buffer b;
  unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, n);
  memcpy(p, cv_tensor_data(t), n);
  swap4(p, n);
  luaL_pushresultsize(&b, n);
  return 1;
}

static cv_dtype check_dtype(lua_State *L, int idx) {
  const char *dt = luaL_optstring(L, idx, "float32");
  if (strcmp(dt, "float32") == 0) return CV_FLOAT32;
  if (strcmp(dt, "uint8") == 0) return CV_UINT8;
  luaL_argerror(L, idx, "dtype must be 'float32' or 'uint8'");
  return CV_FLOAT32;
}

/* frombytes(s, shape [, dtype [, offset]]) --> tensor holding the little-endian elements of s
 * starting at byte offset (0-based, default 0); s must hold enough bytes. */
static int l_frombytes(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int64_t shape[CV_MAX_DIMS];
  int nd = lcv_checkshape(L, 2, shape);
  cv_dtype dt = check_dtype(L, 3);
  lua_Integer off = luaL_optinteger(L, 4, 0);
  luaL_argcheck(L, off >= 0 && (size_t)off <= len, 4, "offset out of range");
  int64_t numel = cv_shape_numel(nd, shape);
  luaL_argcheck(L, numel >= 0, 2, "shape too large");
  size_t n = (size_t)numel * cv_dtype_size(dt);
  if (n > len - (size_t)off)
    return luaL_error(L, "frombytes: need %I bytes at offset %I, the string has %I",
                      (lua_Integer)n, off, (lua_Integer)(len - (size_t)off));
  cv_tensor *t = lcv_newtensor(L, dt, nd, shape);
  if (n) {
    memcpy(cv_tensor_data(t), s + off, n);
    if (!host_is_le() && dt == CV_FLOAT32) swap4((unsigned char *)cv_tensor_data(t), n);
  }
  return 1;
}

/* copybytes(t, s [, offset]) --> t, filled in place from the little-endian elements of s */
static int l_copybytes(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  size_t len;
  const char *s = luaL_checklstring(L, 2, &len);
  lua_Integer off = luaL_optinteger(L, 3, 0);
  luaL_argcheck(L, off >= 0 && (size_t)off <= len, 3, "offset out of range");
  size_t n = (size_t)t->numel * cv_dtype_size(t->dtype);
  if (n > len - (size_t)off)
    return luaL_error(L, "copybytes: need %I bytes at offset %I, the string has %I",
                      (lua_Integer)n, off, (lua_Integer)(len - (size_t)off));
  if (n) {
    memcpy(cv_tensor_data(t), s + off, n);
    if (!host_is_le() && t->dtype == CV_FLOAT32) swap4((unsigned char *)cv_tensor_data(t), n);
  }
  lua_settop(L, 1);
  return 1;
}

/* crc32(s [, offset [, length [, crc]]]) --> CRC-32 (zlib's) of length bytes of s from the 0-based
 * offset (default: to the end), continuing from crc; detects corrupt data in saved files */
static int l_crc32(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_Integer off = luaL_optinteger(L, 2, 0);
  luaL_argcheck(L, off >= 0 && (size_t)off <= len, 2, "offset out of range");
  lua_Integer n = luaL_optinteger(L, 3, (lua_Integer)(len - (size_t)off));
  luaL_argcheck(L, n >= 0 && (size_t)n <= len - (size_t)off, 3, "length out of range");
  uLong crc = (uLong)luaL_optinteger(L, 4, 0);
  const unsigned char *p = (const unsigned char *)s + off;
  size_t left = (size_t)n;
  while (left > 0) {                 /* zlib takes uInt lengths */
    uInt chunk = left > 0x40000000u ? 0x40000000u : (uInt)left;
    crc = crc32(crc, p, chunk);
    p += chunk; left -= chunk;
  }
  lua_pushinteger(L, (lua_Integer)crc);
  return 1;
}

/* _data_pointer(t) --> the address of t's first element (a light userdata), its number of
 * elements, its dtype: for cvision.mpi (cv.distributed), which reads and writes the elements in
 * place while t is alive; internal */
static int l_data_pointer(lua_State *L) {
  cv_tensor *t = lcv_checktensor(L, 1);
  lua_pushlightuserdata(L, cv_tensor_data(t));
  lua_pushinteger(L, (lua_Integer)t->numel);
  lua_pushstring(L, t->dtype == CV_FLOAT32 ? "float32" : t->dtype == CV_UINT8 ? "uint8" : "int8");
  return 3;
}

/* deflate(s [, level = 6]) --> s compressed as a zlib stream (RFC 1950), as PDF's FlateDecode
 * filter reads it */
static int l_deflate(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_Integer level = luaL_optinteger(L, 2, 6);
  luaL_argcheck(L, level >= 0 && level <= 9, 2, "level must be 0..9");
  luaL_argcheck(L, len < 0x40000000u, 1, "string too long (at most 1 GiB)");
  uLongf cap = compressBound((uLong)len);
  luaL_Buffer b;
  unsigned char *out = (unsigned char *)luaL_buffinitsize(L, &b, cap);
  if (compress2(out, &cap, (const Bytef *)s, (uLong)len, (int)level) != Z_OK)
    return luaL_error(L, "deflate: zlib failed");
  luaL_pushresultsize(&b, cap);
  return 1;
}

/* sha256(s) --> lower-case hex SHA-256 of s; the checksum of shipped weight files */
static int l_sha256(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  unsigned char d[CV_SHA256_SIZE];
  char hex[2 * CV_SHA256_SIZE];
  cv_sha256(d, s, len);
  for (int i = 0; i < CV_SHA256_SIZE; i++) {
    hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
    hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
  }
  lua_pushlstring(L, hex, sizeof hex);
  return 1;
}

/* read_file(path [, max_bytes]) --> the whole file as a string, or nil, "<path>: <reason>".
 * Only regular files (a FIFO or a device is refused at once); max_bytes defaults to the
 * max_file_bytes budget (cv.set_limits). */
static int l_read_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer max = luaL_optinteger(L, 2, -1);
  unsigned char *buf;
  size_t n;
  if (cv_file_read(&buf, &n, path, (int64_t)max) != CV_OK) {
    luaL_pushfail(L);
    lua_pushstring(L, cv_last_error());
    return 2;
  }
  lua_pushlstring(L, buf ? (const char *)buf : "", n);
  free(buf);
  return 1;
}

/* write_file_atomic(path, chunks) --> true, or nil, "<path>: <reason>": the strings of the list
 * chunks, in order, saved atomically (io/file.h: unique temporary, O_EXCL | O_NOFOLLOW, fsync,
 * rename, fsync of the folder) */
static int l_write_file_atomic(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer n = luaL_len(L, 2);
  for (lua_Integer i = 1; i <= n; i++) {               /* check everything before creating */
    if (lua_geti(L, 2, i) != LUA_TSTRING)
      return luaL_error(L, "write_file_atomic: chunk %d is a %s, not a string", (int)i, luaL_typename(L, -1));
    lua_pop(L, 1);
  }
  cv_atomic_file a;
  if (cv_atomic_open(&a, path) == CV_OK) {
    for (lua_Integer i = 1; i <= n; i++) {
      size_t len;
      lua_geti(L, 2, i);
      const char *c = lua_tolstring(L, -1, &len);
      cv_atomic_write(&a, c, len);
      lua_pop(L, 1);
    }
    if (cv_atomic_commit(&a) == CV_OK) {
      lua_pushboolean(L, 1);
      return 1;
    }
  }
  luaL_pushfail(L);
  lua_pushstring(L, cv_last_error());
  return 2;
}

static const luaL_Reg funcs[] = {
  {"write_file_atomic", l_write_file_atomic},
  {"read_file", l_read_file},
  {"crc32", l_crc32},
  {"sha256", l_sha256},
  {"deflate", l_deflate},
  {"_data_pointer", l_data_pointer},
  {"tobytes", l_tobytes},
  {"frombytes", l_frombytes},
  {"copybytes", l_copybytes},
  {NULL, NULL}
};

void lcv_open_bytes(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
}
