# syntax=docker/dockerfile:1.7
# Superset for the TMDB lakehouse (deploy/bi/): one image for the init job (`superset.sh init`: metadata
# migrations, roles, then bi/superset/bootstrap.py imports the admin and the dashboard bundle) and the
# web server (`superset.sh serve`).
#
# Build from the repository root:  docker build -f deploy/bi/superset.Dockerfile -t tmdb-superset:dev .
# (superset.Dockerfile.dockerignore sends only bi/superset/ and deploy/bi/ into the context.)
#
# Why not FROM apache/superset: its lean image has no database driver (neither PyHive for the SQL
# endpoint's hive:// nor psycopg2 for PostgreSQL metadata) and its own pins. This image installs
# bi/superset/uv.lock, the environment `tmdb-pipeline superset up` runs locally, plus the lock's
# `deploy` group (psycopg2-binary): the container runs the same Superset, PyHive and workarounds.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

# uv as pinned by scripts/setup.sh
ARG UV_VERSION=0.13.9
ENV UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/superset/venv
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /src
COPY bi/superset/pyproject.toml bi/superset/uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --group deploy

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# tini: PID 1 that forwards SIGTERM to gunicorn
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10002 superset \
 && useradd --uid 10002 --gid 10002 --home-dir /app/superset_home --create-home --shell /usr/sbin/nologin superset

COPY --from=build /opt/superset/venv /opt/superset/venv
COPY bi/superset/superset_config.py bi/superset/bootstrap.py /app/
COPY bi/superset/assets/ /app/assets/
COPY deploy/bi/superset.sh /app/superset.sh

# What `tmdb-pipeline superset up` sets (tmdb_pipeline/stack/superset.py), less the secrets and the
# addresses, which deploy/ passes: SUPERSET_SECRET_KEY, SUPERSET_METADATA_DB_URI,
# TMDB_SUPERSET_ADMIN[_PASSWORD], TMDB_SUPERSET_DATABASE_URI.
ENV PATH=/opt/superset/venv/bin:$PATH \
    SUPERSET_CONFIG_PATH=/app/superset_config.py \
    SUPERSET_HOME=/app/superset_home \
    FLASK_APP=superset \
    TMDB_SUPERSET_ASSETS=/app/assets \
    PYTHONUNBUFFERED=1

USER 10002:10002
WORKDIR /app/superset_home
EXPOSE 8088
ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/app/superset.sh"]
CMD ["serve"]
