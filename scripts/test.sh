#!/usr/bin/env bash
# Runs every test: unit tests, and end-to-end tests that start a real OpenSSH sshd target and
# drive the bastion with the stock ssh/scp/sftp/rsync clients on free loopback ports.
#
# Every program a test starts has its own timeout; this watchdog is the last line: if the
# whole run outlives BASTION_TEST_TIMEOUT seconds (default 30 minutes; a full run takes a
# few) it is stopped and the tests that started but never finished are named.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${BASTION_TEST_TIMEOUT:-1800}

# What the tests run: the libraries to build, the real programs the end-to-end tests start.
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
for pkg in libssh-dev libssl-dev libsqlite3-dev libvterm-dev sqlite3 openssh-server openssh-client rsync xauth asciinema python3 python3-paramiko passwd procps systemd; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
$SUDO mkdir -p /run/sshd

swift build
log=$(mktemp)
# Every file the tests make (fixtures, audit stores, recordings of transfers: hundreds of MB a
# run) goes under one directory of this run, removed at the end; kept when the run failed or
# BASTION_KEEP_TEST_FILES is set, to look into. (Test accounts' homes are in there: 755.)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bastion-tests.XXXXXX")
chmod 755 "$scratch"
status=1
finish() {
    rm -f "$log"
    if [ "$status" -eq 0 ] && [ -z "${BASTION_KEEP_TEST_FILES:-}" ]; then rm -rf "$scratch"
    else echo "scripts/test.sh: the tests' files are kept in $scratch" >&2; fi
}
trap finish EXIT
set +e
TMPDIR="$scratch" timeout --kill-after=30 "$limit" stdbuf -oL -eL swift test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "scripts/test.sh: the tests did not finish within $limit s. Started and never finished:" >&2
    python3 - "$log" >&2 <<'PY'
import re, sys
started, ended = [], set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"◇ Test (\w+\([^)]*\)) started", line)
    if m: started.append(m.group(1))
    m = re.search(r"Test (\w+\([^)]*\)).* (passed|failed|skipped)", line)
    if m: ended.add(m.group(1))
for name in started:
    if name not in ended: print("  " + name)
PY
fi
exit "$status"
