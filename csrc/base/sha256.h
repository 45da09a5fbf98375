/* sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), small and dependency-free.
 * Used by the Jupyter kernel to sign its messages; streaming (init/update/final) and one-shot
 * forms give the same digest for any split of the input. */
#ifndef CV_SHA256_H
#define CV_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define CV_SHA256_SIZE 32

typedef struct {
  uint32_t h[8];
  uint64_t nbytes;        /* message length so far */
  unsigned char buf[64];  /* the partial block */
  size_t nbuf;
} cv_sha256_ctx;

void cv_sha256_init(cv_sha256_ctx *c);
void cv_sha256_update(cv_sha256_ctx *c, const void *data, size_t n);
void cv_sha256_final(unsigned char out[CV_SHA256_SIZE], cv_sha256_ctx *c);
void cv_sha256(unsigned char out[CV_SHA256_SIZE], const void *data, size_t n);

/* HMAC-SHA256 over the concatenation of nparts buffers (the kernel signs four JSON frames) */
typedef struct {
  cv_sha256_ctx inner;
  unsigned char okey[64];  /* key ^ opad */
} cv_hmac_sha256_ctx;

void cv_hmac_sha256_init(cv_hmac_sha256_ctx *c, const void *key, size_t klen);
void cv_hmac_sha256_update(cv_hmac_sha256_ctx *c, const void *data, size_t n);
void cv_hmac_sha256_final(unsigned char out[CV_SHA256_SIZE], cv_hmac_sha256_ctx *c);
void cv_hmac_sha256(unsigned char out[CV_SHA256_SIZE], const void *key, size_t klen,
                    const void *data, size_t n);

/* lower-case hex of n bytes into hex (2n + 1 bytes with the terminating zero) */
void cv_hex(char *hex, const unsigned char *bytes, size_t n);

#endif
