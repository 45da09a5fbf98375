/* test_sha256.c - SHA-256 against FIPS 180-4's examples, HMAC-SHA256 against RFC 4231's test
 * cases, and the streaming form against the one-shot form for every split of awkward lengths
 * (empty, 55/56/63/64/65 bytes around the padding boundary, several blocks). */
#include <stdlib.h>
#include <string.h>

#include "ctest.h"
#include "base/sha256.h"

static int hex_is(const unsigned char *d, const char *want) {
  char hex[2 * CV_SHA256_SIZE + 1];
  cv_hex(hex, d, CV_SHA256_SIZE);
  if (strcmp(hex, want) != 0) fprintf(stderr, "got  %s\nwant %s\n", hex, want);
  return strcmp(hex, want) == 0;
}

static void test_fips(void) {
  unsigned char d[CV_SHA256_SIZE];
  cv_sha256(d, "", 0);
  CHECK(hex_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "empty");
  cv_sha256(d, "abc", 3);
  CHECK(hex_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "abc");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  cv_sha256(d, two, strlen(two));
  CHECK(hex_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"), "two blocks");
  cv_sha256_ctx c;
  cv_sha256_init(&c);
  char a[1000];
  memset(a, 'a', sizeof a);
  for (int i = 0; i < 1000; i++) cv_sha256_update(&c, a, sizeof a);
  cv_sha256_final(d, &c);
  CHECK(hex_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), "a million a");
}

static void test_rfc4231(void) {
  unsigned char d[CV_SHA256_SIZE], key[131], data[50];
  memset(key, 0x0b, 20);
  cv_hmac_sha256(d, key, 20, "Hi There", 8);
  CHECK(hex_is(d, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"), "case 1");
  const char *q = "what do ya want for nothing?";
  cv_hmac_sha256(d, "Jefe", 4, q, strlen(q));
  CHECK(hex_is(d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), "case 2");
  memset(key, 0xaa, 20);
  memset(data, 0xdd, 50);
  cv_hmac_sha256(d, key, 20, data, 50);
  CHECK(hex_is(d, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"), "case 3");
  memset(key, 0xaa, 131);
  const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";
  cv_hmac_sha256(d, key, 131, big, strlen(big));
  CHECK(hex_is(d, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"), "case 6");
  /* the kernel signs four frames one after the other: same as signing their concatenation */
  cv_hmac_sha256_ctx h;
  cv_hmac_sha256_init(&h, "Jefe", 4);
  cv_hmac_sha256_update(&h, q, 10);
  cv_hmac_sha256_update(&h, q + 10, 0);
  cv_hmac_sha256_update(&h, q + 10, strlen(q) - 10);
  cv_hmac_sha256_final(d, &h);
  CHECK(hex_is(d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), "case 2 in parts");
}

/* the streaming form (the fast path: whole blocks straight from the input) against the
 * one-shot form for every split point of each length */
static void test_splits(void) {
  static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 300};
  unsigned char msg[300];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (unsigned char)(i * 131 + 7);
  int bad = 0;
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    size_t n = lens[li];
    unsigned char want[CV_SHA256_SIZE], got[CV_SHA256_SIZE];
    cv_sha256(want, msg, n);
    for (size_t cut = 0; cut <= n; cut++) {
      cv_sha256_ctx c;
      cv_sha256_init(&c);
      cv_sha256_update(&c, msg, cut);
      cv_sha256_update(&c, msg + cut, n - cut);
      cv_sha256_final(got, &c);
      bad += memcmp(want, got, sizeof want) != 0;
    }
  }
  CHECK(bad == 0, "%d splits differ from the one-shot digest", bad);
}

int main(void) {
  test_fips();
  test_rfc4231();
  test_splits();
  CTEST_END("sha256");
}
