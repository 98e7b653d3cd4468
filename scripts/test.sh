#!/usr/bin/env bash
# Runs every test: unit tests, and end-to-end tests that start a real OpenSSH sshd target and
# drive the bastion with the stock ssh/scp/sftp clients on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build
swift test "$@"
