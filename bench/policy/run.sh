#!/bin/sh
# Builds the policy benchmark in release mode and prints a Markdown table.
# Usage: bench/policy/run.sh [iterations-per-line]   (BUILD_DIR overrides the scratch directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-${TMPDIR:-/tmp}/bastion-policy-bench}
swift build -c release --package-path "$here" --scratch-path "$build" >&2
"$build/release/PolicyBench" "$@"
