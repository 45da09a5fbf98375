/* kernel.h - bin/cvision's Jupyter kernel entry (kernel.c): main.c hands it the command line
 * when the first argument is --kernel or --install-kernel. */
#ifndef CV_REPL_KERNEL_H
#define CV_REPL_KERNEL_H
#include <lua.h>

/* whether arg is one of the kernel's options */
int cv_kernel_option(const char *arg);
/* runs require("cvision.kernel").main{argv[0], ...} in L (standard libraries and cvision set
 * up); returns the exit status */
int cv_kernel_main(lua_State *L, int argc, char **argv);

#endif
