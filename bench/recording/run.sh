#!/bin/sh
# Recording benchmarks (issue 5, part 7): writer throughput, and `bastion-play --list` /
# `--verify` wall time and peak memory on a generated ~1 GB signed recording.
# Needs release builds of bastion-play and RecorderBench; BIN overrides where they are.
#   swift build -c release --product bastion-play && swift build -c release --product RecorderBench
set -eu
BIN=${BIN:-.build/release}
SIZE_MB=${SIZE_MB:-1024}
WORK=${WORK:-$(mktemp -d /tmp/recording-bench.XXXXXX)}
chmod 700 "$WORK"
CAST="$WORK/big.cast"

echo "== writer throughput (SessionRecorder with signing vs plain write)"
"$BIN/RecorderBench" writer 512 16384
"$BIN/RecorderBench" writer 256 1024

echo "== generating a ${SIZE_MB} MB recording"
"$BIN/RecorderBench" generate "$CAST" "$SIZE_MB"
ls -l "$CAST"

for mode in --list --verify; do
    echo "== bastion-play $mode"
    extra=""
    [ "$mode" = --verify ] && extra="--allowed-signers $CAST.allowed_signers"
    /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$BIN/bastion-play" $mode $extra "$CAST" | tail -n 3
done
echo "== bastion-play --cat (to /dev/null)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$BIN/bastion-play" --cat "$CAST" > /dev/null
rm -rf "$WORK"
