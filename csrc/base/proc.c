/* proc.c - file locks and child processes for the tuner's workers (proc.h). */
#include "base/proc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

cv_status cv_proc_lock(int *fd_out, const char *path) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return cv_fail(CV_EIO, "%s: %s", path, strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    close(fd);
    return cv_fail(CV_EIO, "%s: cannot lock: %s", path, strerror(e));
  }
  *fd_out = fd;
  return CV_OK;
}

void cv_proc_unlock(int fd) {
  if (fd < 0) return;
  flock(fd, LOCK_UN);
  close(fd);
}

/* the name part of "NAME=value" matches entry e */
static int same_name(const char *a, const char *e) {
  const char *eq = strchr(a, '=');
  size_t n = eq ? (size_t)(eq - a) : strlen(a);
  return strncmp(a, e, n) == 0 && e[n] == '=';
}

cv_status cv_proc_spawn(pid_t *pid_out, char *const argv[], char *const env[]) {
  if (!argv || !argv[0]) return cv_fail(CV_EINVAL, "spawn: empty command");
  size_t ne = 0, nx = 0;
  while (environ && environ[ne]) ne++;
  while (env && env[nx]) nx++;
  char **all = malloc((ne + nx + 1) * sizeof *all);
  if (!all) return CV_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < ne; i++) {
    int overridden = 0;
    for (size_t j = 0; j < nx && !overridden; j++) overridden = same_name(env[j], environ[i]);
    if (!overridden) all[k++] = environ[i];
  }
  for (size_t j = 0; j < nx; j++) all[k++] = env[j];
  all[k] = NULL;
  pid_t pid;
  int rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], NULL, NULL, argv, all)
                                : posix_spawnp(&pid, argv[0], NULL, NULL, argv, all);
  free(all);
  if (rc != 0) return cv_fail(CV_EIO, "cannot start %s: %s", argv[0], strerror(rc));
  *pid_out = pid;
  return CV_OK;
}

cv_status cv_proc_wait(int *code_out, pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno == EINTR) continue;
    return cv_fail(CV_EINVAL, "wait for process %ld: %s", (long)pid, strerror(errno));
  }
  *code_out = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
  return CV_OK;
}

cv_status cv_proc_kill(pid_t pid, int sig) {
  if (pid <= 0) return cv_fail(CV_EINVAL, "kill: bad process id %ld", (long)pid);
  if (kill(pid, sig) != 0) return cv_fail(CV_EINVAL, "kill %ld: %s", (long)pid, strerror(errno));
  return CV_OK;
}

cv_status cv_proc_exe(char *buf, size_t n) {
  if (n < 2) return cv_fail(CV_EINVAL, "exe: buffer too small");
  ssize_t r = readlink("/proc/self/exe", buf, n - 1);
  if (r < 0) return cv_fail(CV_EIO, "/proc/self/exe: %s", strerror(errno));
  buf[r] = 0;
  return CV_OK;
}
