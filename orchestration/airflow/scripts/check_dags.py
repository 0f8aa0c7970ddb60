"""Import the DAG folder as the dag-processor does and write what it found as JSON.

Run with Airflow's own interpreter (the tests call it in a subprocess):
`python check_dags.py DAGS_FOLDER OUT.json`. It records import errors, the warnings raised while
parsing (Airflow's per-file captured warnings, Python warnings from the DAG folder, Cosmos or
DataHub, and WARNING log records of Cosmos, DataHub and the DAG), and each DAG's tasks.
"""

from __future__ import annotations

import json
import logging
import sys
import warnings
from pathlib import Path

WATCHED = ("cosmos", "datahub", "datahub_airflow_plugin", "tmdb_dag")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in WATCHED:
            self.records.append(f"{record.name}: {record.getMessage()}")


def _task(task) -> dict:
    return {
        "downstream": sorted(task.downstream_task_ids),
        "retries": task.retries,
        "retry_exponential_backoff": bool(task.retry_exponential_backoff),
        "timeout_s": task.execution_timeout.total_seconds() if task.execution_timeout else None,
        "inlets": [getattr(i, "urn", str(i)) for i in task.inlets],
        "outlets": [getattr(o, "urn", str(o)) for o in task.outlets],
        "operator": type(task).__name__,
        "command": str(getattr(task, "bash_command", "") or ""),
    }


def main() -> int:
    dags_folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from airflow.dag_processing.dagbag import BundleDagBag

        # as the dag-processor parses the local bundle: the folder is on sys.path (for tmdb_dag/)
        bag = BundleDagBag(dag_folder=dags_folder, bundle_path=dags_folder, bundle_name="dags-folder")
    python_warnings = [
        f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
        for w in caught
        if str(dags_folder) in str(w.filename) or any(f"/{name}/" in str(w.filename) for name in WATCHED)
    ]
    report = {
        "import_errors": {str(k): v for k, v in bag.import_errors.items()},
        "warnings": python_warnings
        + [str(w) for found in bag.captured_warnings.values() for w in found]
        + collect.records,
        "dags": {
            dag_id: {
                "tasks": {t.task_id: _task(t) for t in dag.tasks},
                "max_active_runs": dag.max_active_runs,
                "max_active_tasks": dag.max_active_tasks,
                "catchup": dag.catchup,
                "schedule": None if dag.schedule is None else str(dag.schedule),
            }
            for dag_id, dag in bag.dags.items()
        },
    }
    out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
