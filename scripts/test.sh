#!/usr/bin/env bash
# The README's test command: lint, then every test against real local services that the test
# fixtures start through the project's own stack code (own ports, own data under .local/test-stack).
set -euo pipefail
cd "$(dirname "$0")/.."
export SPARK_LOCAL_IP=127.0.0.1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> pytest"
exec .venv/bin/pytest "$@"
