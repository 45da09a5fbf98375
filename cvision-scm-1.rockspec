-- cvision-scm-1.rockspec: builds with the project's Makefile (`make rock`, then
-- `make install-rock`), so the rock and `make` compile the very same sources (and share the
-- objects in build/; the rock's core.so and REPL are linked into build/rock/).
-- Every library the Makefile links is an external dependency found by luarocks and passed to make
-- (no hard-coded paths): OpenBLAS, libpng, zlib, stb, HDF5 (Debian's serial build, as the
-- Makefile's fallback), and for the REPL binary only libedit and libzmq (its Jupyter kernel).
-- The source is the release tarball `make dist` writes, named relative to the checkout;
-- `make dist` also writes dist/cvision-scm-1.rockspec, this file with that path made absolute,
-- which luarocks can fetch from anywhere (luarocks pack fetches from a temporary folder):
--   luarocks --lua-version 5.4 make cvision-scm-1.rockspec        (build and install the checkout)
--   make dist && cd dist && luarocks --lua-version 5.4 pack cvision-scm-1.rockspec
--                                                      --> dist/cvision-scm-1.src.rock
--   luarocks --lua-version 5.4 install --tree /tmp/x .../dist/cvision-scm-1.src.rock   (or .rockspec)
rockspec_format = "3.0"
package = "cvision"
version = "scm-1"
source = {
  url = "file://dist/cvision-scm-1.tar.gz",
  dir = "cvision-scm-1",
}
description = {
  summary = "A small CNN toolkit: C11 core with OpenBLAS, Keras-like Lua 5.4 API, REPL",
  detailed = [[
cvision trains and runs convolutional networks from Lua 5.4 with a Keras-like API
(Sequential models, Conv2D/Dense/pooling layers, fit/evaluate/predict, save/load),
a C11 core (im2col + OpenBLAS GEMM, AVX2 kernels), PNG/GIF/JPEG image IO and a REPL.
]],
  homepage = "https://github.com/cvision/cvision",
  license = "MIT",
  maintainer = "the cvision authors",
}
dependencies = {
  "lua >= 5.4, < 5.5",
  "lua-cjson >= 2.1",   -- JSON of model files and notebooks (Debian: lua-cjson)
}
external_dependencies = {
  OPENBLAS = { library = "openblas" },   -- cblas.h is in the compiler's multiarch include folder
  PNG = { header = "png.h", library = "png" },
  ZLIB = { header = "zlib.h", library = "z" },
  STB = { header = "stb/stb_image.h", library = "stb" },
  HDF5 = { header = "hdf5/serial/hdf5.h", library = "hdf5_serial" },
  LIBEDIT = { header = "editline/readline.h", library = "edit" },
  ZMQ = { header = "zmq.h", library = "zmq" },
}
build = {
  type = "make",
  build_target = "rock",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA_INC = "$(LUA_INCDIR)",
    CPPFLAGS = "-I$(PNG_INCDIR) -I$(ZLIB_INCDIR) -I$(LIBEDIT_INCDIR) -I$(ZMQ_INCDIR)",
    STB_INC = "$(STB_INCDIR)/stb",
    HDF5_CFLAGS = "-I$(HDF5_INCDIR)/hdf5/serial",
    HDF5_LIBS = "-L$(HDF5_LIBDIR) -lhdf5_serial",
    ZMQ_LIBS = "-L$(ZMQ_LIBDIR) -lzmq",
    LDFLAGS = "-L$(OPENBLAS_LIBDIR) -L$(PNG_LIBDIR) -L$(ZLIB_LIBDIR) -L$(STB_LIBDIR) -L$(LIBEDIT_LIBDIR)",
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
