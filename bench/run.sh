#!/bin/sh
# bench/run.sh - `make bench`: cvision against PyTorch on the same models in the same run.
# Prints one table (see bench/README.md for how to read it). Takes a few minutes.
# The cvision and PyTorch runs alternate, ROUNDS times, so a busy machine slows both alike; each
# figure is the median of all its timings. ROUNDS=n (default 3), REPEATS=n timings per round
# (default 3), THREADS="1 2" the thread counts.
# cvision's kernels stop at AVX2/FMA (the project's machines have no AVX-512), so on a CPU with
# AVX-512 PyTorch's oneDNN is held to AVX2 too (ONEDNN_MAX_CPU_ISA=AVX2): the same instruction set
# as on the project's machines. TORCH_ISA=native lets oneDNN use everything the CPU has.
# Both libraries run with OPENBLAS_NUM_THREADS=1: cvision pins OpenBLAS to one thread itself, but
# OpenBLAS has already started its worker by then, which spins for ~0.1 s after the call.
set -e
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-"1 2"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-cc}
BUILD=${BUILD:-build}
$CC -O2 -o "$tmp/peak" bench/peak.c
$CC -O2 -std=c11 -D_GNU_SOURCE -Icsrc -o "$tmp/gemm_bench" bench/gemm_bench.c "$BUILD/libcvision.a" \
  -lopenblas -lpng -lz -lstb -lm -pthread
echo "bench: measuring the FMA peak"
"$tmp/peak" > "$tmp/peak.txt"
have_torch=0
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then have_torch=1; fi
TORCH_ISA=${TORCH_ISA:-avx2}
if [ "$TORCH_ISA" != native ] && grep -q avx512f /proc/cpuinfo 2>/dev/null; then
  export ONEDNN_MAX_CPU_ISA=AVX2
  echo "PyTorch's oneDNN held to AVX2 (ONEDNN_MAX_CPU_ISA=AVX2) on this AVX-512 CPU; TORCH_ISA=native to lift" > "$tmp/torch_isa.txt"
elif grep -q avx512f /proc/cpuinfo 2>/dev/null; then
  echo "PyTorch's oneDNN free to use AVX-512 (TORCH_ISA=native); cvision stays at AVX2" > "$tmp/torch_isa.txt"
fi
for r in $(seq "$ROUNDS"); do
  for n in $THREADS; do
    echo "bench: round $r/$ROUNDS, cvision, $n thread(s)"
    OPENBLAS_NUM_THREADS=1 CVISION_NUM_THREADS=$n bin/cvision bench/bench.lua "$n" "$REPEATS" >> "$tmp/cvision.jsonl"
    if [ $have_torch = 1 ]; then
      echo "bench: round $r/$ROUNDS, PyTorch, $n thread(s)"
      OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$n /usr/bin/python3 bench/torch_bench.py "$n" "$REPEATS" >> "$tmp/torch.jsonl"
    fi
  done
  # PyTorch's logistic regression alone in a fresh process (a footnote, not the table's figure: there
  # it runs after the lecture CNN, which leaves glibc's heap in the state that makes it ~2x faster)
  if [ $have_torch = 1 ]; then
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_bench.py 1 "$REPEATS" \
      logistic/train/32 >> "$tmp/torch_alone.jsonl"
  fi
done
# data-parallel over MPI (when cvision was built with it): 1 rank vs 2 ranks, 1 thread each
if command -v mpirun > /dev/null 2>&1 && [ -f lua/cvision/mpi.so ]; then
  for r in $(seq "$ROUNDS"); do
    for np in 1 2; do
      echo "bench: round $r/$ROUNDS, cvision data-parallel, $np rank(s)"
      OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 CVISION_NUM_THREADS=1 \
        mpirun -np "$np" --oversubscribe bin/cvision bench/mpi_bench.lua "$REPEATS" >> "$tmp/mpi.jsonl"
    done
  done
fi
echo "bench: peak memory of a training run"
OPENBLAS_NUM_THREADS=1 CVISION_NUM_THREADS=1 bin/cvision bench/bench.lua 1 1 memory >> "$tmp/cvision.jsonl"
if [ $have_torch = 1 ]; then
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_bench.py 1 1 memory >> "$tmp/torch.jsonl"
fi
echo "bench: GEMM against OpenBLAS"
CVISION_NUM_THREADS=1 "$tmp/gemm_bench" > "$tmp/gemm.txt"
echo "bench: the FMA peak again (the higher of the two counts)"
"$tmp/peak" >> "$tmp/peak.txt"
echo "bench: start-up time"
lua5.4 bench/report.lua "$tmp" "$have_torch"
