#!/usr/bin/env bash
# Installs the S3-compatible server the local stack and the tests run: versitygw
# (Apache-2.0, a Go module) with its posix backend. It checks SigV4 signatures,
# expiry and signed headers like S3 does; docs/artifacts.md says why it was chosen.
# Built with `go install` into tools/bin (gitignored). Idempotent: a no-op when the
# pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.8.0
bin_dir="$PWD/tools/bin"
binary="$bin_dir/versitygw"
# `go install` leaves no version in the binary (it prints "git"): a stamp file records it.
stamp="$bin_dir/versitygw.version"

if [ -x "$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "setup: versitygw $version ok"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "setup: the local S3 server (versitygw) is built with Go 1.25+; please install Go" >&2
  exit 1
fi
echo "setup: building versitygw $version into tools/bin (about 2 minutes on 2 cores, once)"
mkdir -p "$bin_dir"
GOBIN="$bin_dir" GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$version"
echo "$version" >"$stamp"
echo "setup: versitygw $version installed"
