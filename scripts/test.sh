#!/usr/bin/env bash
# The README's test command: lint, then every test against real local services that the test
# fixtures start through the project's own stack code (own ports, own data under .local/test-stack).
set -euo pipefail
cd "$(dirname "$0")/.."
export SPARK_LOCAL_IP=127.0.0.1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

# tools only the tests use (make demo does not install them): the deploy/ checks' kustomize and
# docker compose (`config` only), built from the Go module proxy once and cached
echo "==> kustomize and docker-compose for the deploy/ checks"
deploy/scripts/install-kustomize.sh >/dev/null
deploy/scripts/install-compose.sh >/dev/null

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> import contracts"
.venv/bin/lint-imports

echo "==> sqlfluff (dbt_project/.sqlfluff)"
.venv/bin/sqlfluff lint dbt_project

echo "==> pytest"
exec .venv/bin/pytest "$@"
