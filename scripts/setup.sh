#!/usr/bin/env bash
# Idempotent setup for a fresh machine: uv (pinned), the locked virtualenv in .venv/, and the
# local stack's jars (Maven Central) and FerretDB binary (Go module proxy) under .local/.
# Package managers keep their own caches (~/.cache/uv, ~/.m2, ~/go), so a second clone is fast.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# --- system tools: Python 3.11+, Java 17+, Maven, Go -------------------------------------
command -v python3 >/dev/null || fail "python3 (3.11 or newer) is required"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || fail "Python 3.11+ is required, found $(python3 -V)"
missing=()
# a JDK, not only a JRE: the local Iceberg REST catalog's launcher is compiled once with javac
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v go >/dev/null || missing+=(golang)
# headless Chromium renders `tmdb-pipeline lineage --html` in the lineage tests
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
# Prometheus (promtool checks the alert rules in tests) and the Pushgateway: the optional monitoring services
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing ${missing[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    fail "please install: ${missing[*]} (a JDK 17, Maven and Go run the local stack; Chromium renders the lineage page in tests; Prometheus checks the alert rules)"
  fi
fi

# --- uv, pinned, in a tools venv of its own ------------------------------------------------
UV=".local/tools/bin/uv"
if ! [ -x "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  say "Installing uv $UV_VERSION"
  python3 -m venv .local/tools
  .local/tools/bin/python -m pip install -q "uv==$UV_VERSION"
fi

# --- the project's virtualenv, from the lock -------------------------------------------------
say "Syncing .venv from uv.lock"
"$UV" sync --frozen

# --- Superset, in its own locked environment (its pins conflict with the pipeline's) ------------
say "Syncing bi/superset/.venv from bi/superset/uv.lock"
(cd bi/superset && "../../$UV" sync --frozen --quiet)

# --- Airflow, in its own locked environment (its pins conflict with the pipeline's) ---------------
say "Syncing orchestration/airflow/.venv from orchestration/airflow/uv.lock"
(cd orchestration/airflow && "../../$UV" sync --frozen --quiet)

# --- the local stack's artifacts --------------------------------------------------------------
say "Installing the local stack (Kafka, Spark and Iceberg REST catalog jars, FerretDB)"
.venv/bin/tmdb-pipeline stack install

