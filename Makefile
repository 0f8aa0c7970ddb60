# The two commands of the README: `make demo` and `make test`. Both set up what they need first.
.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format stack-up stack-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

setup: ## install everything (uv, .venv from the lock, Kafka/Spark jars, FerretDB); idempotent
	@scripts/setup.sh

demo: setup ## set up, start the local stack and run the pipeline on it
	@scripts/demo.sh

test: setup ## lint and run every test against real local services
	@scripts/test.sh

lint: ## ruff check and format check, import contracts, sqlfluff on the dbt SQL
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .
	@.venv/bin/lint-imports  # the layer contracts in pyproject.toml
	@.venv/bin/sqlfluff lint dbt_project  # rules in dbt_project/.sqlfluff

format: ## ruff fix and format
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

stack-up: ## start the local stack
	@.venv/bin/tmdb-pipeline stack up

stack-down: ## stop the local stack
	@.venv/bin/tmdb-pipeline stack down
