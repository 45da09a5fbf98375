/* proc.h - the few process facilities a tuner needs to share work between processes: an
 * exclusive advisory file lock, starting a program with extra environment variables, waiting
 * for it and signalling it. POSIX (flock, posix_spawn); every function returns a status. */
#ifndef CV_PROC_H
#define CV_PROC_H

#include "base/cv_status.h"
#include <sys/types.h>

/* *fd_out = an open descriptor of path (created if missing) holding an exclusive flock; blocks
 * until the lock is free. Release with cv_proc_unlock. */
cv_status cv_proc_lock(int *fd_out, const char *path);
/* Releases and closes a descriptor from cv_proc_lock. */
void cv_proc_unlock(int fd);

/* *pid_out = a child running argv[0] (searched in PATH when it has no '/') with argv, in the
 * current environment plus env (NULL-terminated "NAME=value" strings, which override). */
cv_status cv_proc_spawn(pid_t *pid_out, char *const argv[], char *const env[]);
/* Waits for pid; *code_out = its exit code, or 128 + the signal that ended it. */
cv_status cv_proc_wait(int *code_out, pid_t pid);
/* Sends signal sig to pid. */
cv_status cv_proc_kill(pid_t pid, int sig);
/* The absolute path of the running program (from /proc/self/exe) into buf of n bytes. */
cv_status cv_proc_exe(char *buf, size_t n);

#endif
