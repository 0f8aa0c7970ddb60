#!/usr/bin/env bash
# The README's first command, after setup: start the local stack and run the pipeline on it.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPARK_LOCAL_IP=127.0.0.1
exec .venv/bin/tmdb-pipeline demo "$@"
