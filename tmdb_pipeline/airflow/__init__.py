"""Airflow for the pipeline: its settings and what the DAG reads from the pipeline (dbt manifest,
lineage plan). Airflow itself runs from its own environment (orchestration/airflow/)."""
