#!/usr/bin/env bash
# The peer servers the `peer` benchmark compares Stratus with, each in a virtual environment of its own
# (FastTrackML's wheel pins an older MLflow client than the MLflow server we compare with):
# .venv-peers/mlflow (MLflow's tracking server) and .venv-peers/fasttrackml. Made on demand by
# `npm run bench -- --only peer`; npm test never needs them. Safe to run again: quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
python_bin=$(command -v python3)
for package in mlflow fasttrackml; do
  venv=.venv-peers/$package
  requirement=$(grep -E "^$package==" bench/peers-requirements.txt)
  if [ -x "$venv/bin/python" ] && [ "$venv/.installed" -nt bench/peers-requirements.txt ]; then
    echo "setup-peers: $requirement up to date"
    continue
  fi
  mkdir -p .venv-peers
  [ -x "$venv/bin/python" ] || "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet "$requirement"
  touch "$venv/.installed"
  echo "setup-peers: $requirement installed"
done
