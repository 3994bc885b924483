#!/usr/bin/env bash
# Installs everything Stratus needs on a fresh machine (Node 20+, Java 17+,
# Python 3.10+ and Go 1.25+ assumed present; Java is installed from Debian's packages when
# missing and we are root). Safe to run again: each step is quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_java_major=17
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt "$need_java_major" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing a Java runtime for DynamoDB Local"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  else
    echo "setup: DynamoDB Local needs Java $need_java_major+ on PATH; please install it" >&2
    exit 1
  fi
fi
echo "setup: java $(java_major) ok"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node 20+ is required (found $(node --version))" >&2
  exit 1
fi

# The steps below that do not need each other's results run at once: on a fresh machine they are
# downloads, unpacking and builds of the Python environments, the Go build of the S3 server and npm's
# installs, each mostly waiting on the network or the disk, or on one core. Each step's output is
# kept in a log of its own and shown whole when it ends, so their lines do not interleave.
step_logs=$(mktemp -d)
trap 'rm -rf "$step_logs"' EXIT
step_names=()
step_pids=()
# Runs a function in the background as a named step.
start_step() {
  local name=$1
  shift
  "$@" >"$step_logs/$name.log" 2>&1 &
  step_names+=("$name")
  step_pids+=("$!")
}
# Waits for every step started so far, showing each one's output; fails naming those that failed.
finish_steps() {
  local index failed=()
  for index in "${!step_pids[@]}"; do
    if ! wait "${step_pids[$index]}"; then failed+=("${step_names[$index]}"); fi
    cat "$step_logs/${step_names[$index]}.log"
  done
  step_names=()
  step_pids=()
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "setup: failed: ${failed[*]}" >&2
    exit 1
  fi
}

python_bin=$(command -v python3 || true)
if [ -z "$python_bin" ]; then
  echo "setup: Python 3.9+ is required for the Python SDK and its tests" >&2
  exit 1
fi

# The Python SDK, its CLI and their tests live in a virtual environment of their own.
python_environment() {
  if [ ! -x .venv/bin/python ]; then
    if ! "$python_bin" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing python3-venv"
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        "$python_bin" -m venv .venv
      else
        echo "setup: python3 -m venv failed; please install Python's venv module" >&2
        exit 1
      fi
    fi
  fi
  if [ .venv/.stratus-installed -nt clients/python/pyproject.toml ]; then
    echo "setup: python environment up to date"
  else
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e "clients/python[cli,test]"
    touch .venv/.stratus-installed
  fi
  # The stock MLflow client (and scikit-learn, pandas, matplotlib) for the real-client tests in test/mlflow.
  if [ .venv/.mlflow-installed -nt test/mlflow/requirements.txt ]; then
    echo "setup: mlflow client up to date"
  else
    .venv/bin/python -m pip install --quiet -r test/mlflow/requirements.txt
    touch .venv/.mlflow-installed
  fi
  # cfn-lint, which test/infra/cfn-lint.test.ts runs over every synthesized template.
  if [ .venv/.cfn-lint-installed -nt test/infra/requirements.txt ]; then
    echo "setup: cfn-lint up to date"
  else
    .venv/bin/python -m pip install --quiet -r test/infra/requirements.txt
    touch .venv/.cfn-lint-installed
  fi
}

start_step python python_environment
start_step s3-server bash scripts/install-s3-server.sh
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "setup: node modules up to date"
else
  npm ci --no-audit --no-fund
fi
# LocalStack's S3 and DynamoDB on the host, for `npm run start:localstack` and the LocalStack test
# run (after npm ci: it takes DynamoDB Local's jar from node_modules).
start_step localstack bash scripts/install-localstack.sh

# The web UI: its own packages and Vite build (web/dist, served by `npm start` and uploaded by the CDK stack).
# Rebuilt when its sources or the API's schemas (its generated types) changed since the last build.
web_ui() {
  if [ -d web/node_modules ] && [ web/node_modules/.package-lock.json -nt web/package-lock.json ]; then
    echo "setup: web modules up to date"
  else
    npm ci --prefix web --no-audit --no-fund
  fi
  if [ -f web/dist/index.html ] && [ -z "$(find web/src web/index.html web/vite.config.ts web/scripts web/public shared \
    -newer web/dist/index.html -print -quit)" ]; then
    echo "setup: web UI build up to date"
  else
    npm run build --prefix web
  fi
}
start_step web web_ui
finish_steps

# The browser tests drive Debian's Chromium (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium for the browser tests"
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: WARNING: the browser tests need Chromium (Debian package chromium); please install it" >&2
  fi
else
  echo "setup: chromium ok"
fi
echo "setup: done"
