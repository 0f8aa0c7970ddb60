"""The DAG's helper package (orchestration/airflow/dags/tmdb_dag/) is plain Python: put the DAG
folder on sys.path, as Airflow's DAG processor does, so these tests import it without Airflow."""

from __future__ import annotations

import sys

from tmdb_pipeline.airflow.settings import DEFAULT_DAGS

if str(DEFAULT_DAGS) not in sys.path:
    sys.path.append(str(DEFAULT_DAGS))
