"""Helpers of the TMDB DAG: its configuration and its lineage plan. Plain Python, no Airflow and no
pipeline import, so the pipeline's unit tests read them too (the DAG folder's .airflowignore keeps
the dag-processor from parsing this package as DAG files)."""
