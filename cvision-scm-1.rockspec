-- cvision-scm-1.rockspec: builds with the project's Makefile (`make rock`, then
-- `make install-rock`), so the rock and `make` compile the very same sources (and share the
-- objects in build/; the rock's core.so and REPL are linked into build/rock/).
-- OpenBLAS and libpng are external dependencies found by luarocks (no hard-coded paths);
-- stb, libedit and libzmq (linked into the REPL binary only, for its Jupyter kernel) come from
-- their Debian packages (make deps).
rockspec_format = "3.0"
package = "cvision"
version = "scm-1"
source = {
  url = "git+file://.",
}
description = {
  summary = "A small CNN toolkit: C11 core with OpenBLAS, Keras-like Lua 5.4 API, REPL",
  detailed = [[
cvision trains and runs convolutional networks from Lua 5.4 with a Keras-like API
(Sequential models, Conv2D/Dense/pooling layers, fit/evaluate/predict, save/load),
a C11 core (im2col + OpenBLAS GEMM, AVX2 kernels), PNG/GIF/JPEG image IO and a REPL.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
  "lua-cjson >= 2.1",   -- JSON of model files and notebooks (Debian: lua-cjson)
}
external_dependencies = {
  OPENBLAS = { library = "openblas" },
  PNG = { header = "png.h", library = "png" },
}
build = {
  type = "make",
  build_target = "rock",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA_INC = "$(LUA_INCDIR)",
    CPPFLAGS = "-I$(PNG_INCDIR)",
    LDFLAGS = "-L$(OPENBLAS_LIBDIR) -L$(PNG_LIBDIR)",
  },
  install_target = "install-rock",
  install_variables = {
    INST_LUADIR = "$(LUADIR)",
    INST_LIBDIR = "$(LIBDIR)",
    INST_BINDIR = "$(BINDIR)",
  },
}
test = {
  type = "busted",
}
