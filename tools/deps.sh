#!/bin/sh
# tools/deps.sh - installs the Debian packages cvision needs, skipping those already present.
# libhdf5-dev is for io/hdf5.c (Keras weight files); python3-h5py and numpy write the fixtures
# of spec/keras_weights_spec.lua. The CJK fonts beyond wqy-microhei are only for the evaluation set of cvision.datasets.hanzi_fonts.
# libzmq3-dev is for the Jupyter kernel (bin/cvision --kernel); the Jupyter packages (jupyter_client,
# `jupyter kernelspec`, nbclient) drive it in spec/kernel_spec.lua.
# librsvg2-bin (rsvg-convert) renders savefig's SVG back to pixels in spec/plot_svg_spec.lua,
# poppler-utils (pdftoppm, pdftotext) its PDF in spec/plot_pdf_spec.lua.
# openmpi-bin and libopenmpi-dev build cv.distributed's binding (lua/cvision/mpi.so, optional: the
# build skips it without mpicc) and run spec/distributed_spec.lua under mpirun.
# lua-ldoc (ldoc) builds the API reference (make docs; spec/docs_spec.lua).
# Idempotent; uses sudo when not root; runs `apt-get update` once, only when something is missing.
PKGS="build-essential pkg-config liblua5.4-dev lua5.4 libpng-dev libopenblas-dev libstb-dev libedit-dev
lua-busted lua-check lua-cjson luarocks fonts-wqy-microhei fonts-dejavu-core dataset-fashion-mnist
fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai fonts-arphic-gbsn00lp fonts-arphic-gkai00mp
fonts-hanazono fonts-babelstone-han lua-argparse libhdf5-dev python3-h5py python3-numpy
libzmq3-dev python3-jupyter-client python3-zmq jupyter-core jupyter-client python3-nbclient librsvg2-bin
lua-ldoc poppler-utils openmpi-bin libopenmpi-dev"
# `deps.sh bench` adds what `make bench` compares against: Debian's PyTorch
[ "${1:-}" = bench ] && PKGS="$PKGS python3-torch python3-numpy"
# `deps.sh fuzz` adds what `make fuzz` builds with: clang and its libFuzzer runtime
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang-14 libclang-rt-14-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get update -qq || exit 1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing || exit 1
