# syntax=docker/dockerfile:1.7
# Airflow for the batch pass's DAG (orchestration/airflow/), on top of the pipeline's image: Airflow's
# own locked environment (its pins conflict with the pipeline's) in /opt/airflow/venv beside the
# pipeline's /app/.venv, as `scripts/setup.sh` does locally. With the DAG's default task runner (bash:
# docker compose) the tasks run the pipeline's CLI in this image; with AIRFLOW_DAG_TASK_RUNNER=kubernetes
# (the Helm chart) each task is a pod of the pipeline's image and this one only schedules.
#
# Build from the repository root, after the pipeline's image:
#   docker build -f deploy/Dockerfile -t tmdb-pipeline:dev .
#   docker build -f deploy/airflow/airflow.Dockerfile -t tmdb-airflow:dev .
ARG PIPELINE_IMAGE=tmdb-pipeline:dev
FROM ${PIPELINE_IMAGE}

# uv as pinned by scripts/setup.sh and deploy/Dockerfile
ARG UV_VERSION=0.13.9
USER root
ENV UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/airflow/venv
COPY orchestration/airflow/pyproject.toml orchestration/airflow/uv.lock /app/orchestration/airflow/
RUN --mount=type=cache,target=/root/.cache/uv \
    pip install --no-cache-dir "uv==${UV_VERSION}" \
 && cd /app/orchestration/airflow \
 && uv sync --frozen --no-dev \
 && pip uninstall -y uv
COPY orchestration/airflow/dags/ /app/orchestration/airflow/dags/

# What the DAG reads at parse time, written by the pipeline (dbt's manifest from `dbt parse`, the
# lineage plan): baked in, so the Helm chart's DAG processor needs no pipeline step of its own.
# /opt/airflow/data is created here so a fresh named volume mounted on it is the user's.
RUN STACK_HOME=/tmp/prepare /app/.venv/bin/tmdb-pipeline airflow prepare \
 && mkdir -p /opt/airflow/data \
 && mv /tmp/prepare/airflow/tmdb /opt/airflow/tmdb \
 && rm -rf /tmp/prepare /app/dbt_project/target /app/dbt_project/logs \
 && chown -R 10001:10001 /opt/airflow /app/dbt_project

ENV PATH=/opt/airflow/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/app/orchestration/airflow/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW_DAG_ARTIFACTS=/opt/airflow/tmdb \
    AIRFLOW_PIPELINE_HOME=/app \
    AIRFLOW_PIPELINE_CLI=/app/.venv/bin/tmdb-pipeline \
    AIRFLOW_DBT_EXECUTABLE=/app/.venv/bin/dbt

USER 10001:10001
WORKDIR /opt/airflow
EXPOSE 8080
# Airflow's commands as given (the Helm chart's, compose's); tini forwards SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["airflow", "version"]
