/* test_fuzz_replay.c - every seed input (fuzz/corpus/<name>/) and every past finding
 * (fuzz/regressions/<name>/) of the C fuzz harnesses run once through the same entry points
 * (fuzz/fuzz_*.c, without libFuzzer), so `make test` and `make check` (ASan+UBSan+LSan) keep
 * them fixed. The Lua loaders' inputs are replayed by spec/fuzz_replay_spec.lua. */
#define CV_FUZZ_NO_MAIN
#include "../../fuzz/fuzz_image.c"
#include "../../fuzz/fuzz_idx.c"
#include "../../fuzz/fuzz_hdf5.c"
#include "ctest.h"
#include <dirent.h>
#include <stdlib.h>

static int replay(const char *dir, int (*fn)(const uint8_t *, size_t)) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    FILE *f = fopen(p, "rb");
    if (!f) continue;
    uint8_t *buf = malloc(1 << 20);
    size_t len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    CHECK(buf && fn(buf, len) == 0, "%s", p);
    free(buf);
    n++;
  }
  closedir(d);
  return n;
}

int main(void) {
  static const struct { const char *name; int (*fn)(const uint8_t *, size_t); } h[] = {
    {"image", cv_fuzz_image}, {"idx", cv_fuzz_idx}, {"hdf5", cv_fuzz_hdf5},
  };
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
    char dir[128];
    snprintf(dir, sizeof dir, "fuzz/corpus/%s", h[i].name);
    int seeds = replay(dir, h[i].fn);
    CHECK(seeds > 0, "%s: the seed corpus is in the repository", dir);
    snprintf(dir, sizeof dir, "fuzz/regressions/%s", h[i].name);
    replay(dir, h[i].fn);
  }
  cv_limits_reset();
  CTEST_END("fuzz_replay");
}
