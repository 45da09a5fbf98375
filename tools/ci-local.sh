#!/bin/sh
# tools/ci-local.sh [COMMIT] - runs .ci/run the way CI does: on a clean clone of this repository
# (HEAD, or COMMIT) in a temporary directory, so uncommitted or ignored files cannot help.
# Keeps the clone when it fails, for a look; removes it when it passes.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/cvision-ci.XXXXXX")
git clone -q "$repo" "$dir/cvision" || exit 2
cd "$dir/cvision" || exit 2
[ $# -gt 0 ] && { git checkout -q "$1" || exit 2; }
if .ci/run; then
  rm -rf "$dir"
else
  echo "ci-local: FAILED; the clone is kept in $dir/cvision"
  exit 1
fi
