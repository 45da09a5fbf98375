/* terminal.c - the size of a terminal (POSIX isatty + ioctl TIOCGWINSZ). */
#include "base/terminal.h"
#include <sys/ioctl.h>
#include <unistd.h>

cv_status cv_terminal_size(int *cols, int *rows, int fd) {
  *cols = *rows = 0;
  if (!isatty(fd)) return cv_fail(CV_EINVAL, "descriptor %d is not a terminal", fd);
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
    return cv_fail(CV_EINVAL, "the terminal on descriptor %d does not give its size", fd);
  *cols = ws.ws_col;
  *rows = ws.ws_row;
  return CV_OK;
}
