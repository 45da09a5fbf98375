/* terminal.h - what a progress bar needs to know of the terminal it writes to. */
#ifndef CV_TERMINAL_H
#define CV_TERMINAL_H

#include "base/cv_status.h"

/* *cols, *rows = the size of the terminal on descriptor fd (ioctl TIOCGWINSZ); CV_EINVAL when fd
 * is not a terminal or the terminal does not say (a size of 0). */
cv_status cv_terminal_size(int *cols, int *rows, int fd);

#endif
