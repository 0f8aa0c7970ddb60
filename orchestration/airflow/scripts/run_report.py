"""Write the task instances of a DAG's latest run (or of RUN_ID) as JSON, for tests and timings.

Run with Airflow's own interpreter: `python run_report.py DAG_ID OUT.json [RUN_ID]`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    dag_id, out = sys.argv[1], Path(sys.argv[2])
    run_id = sys.argv[3] if len(sys.argv) > 3 else None
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        query = select(DagRun).where(DagRun.dag_id == dag_id)
        query = query.where(DagRun.run_id == run_id) if run_id else query.order_by(DagRun.id.desc())
        run = session.scalars(query.limit(1)).first()
        if run is None:
            out.write_text(json.dumps(None))
            return 0
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
        ).all()
        report = {
            "run_id": run.run_id,
            "state": str(run.state),
            "tasks": {
                ti.task_id: {
                    "state": str(ti.state),
                    "try_number": ti.try_number,
                    "seconds": ti.duration,
                    "start": ti.start_date.isoformat() if ti.start_date else None,
                }
                for ti in tis
            },
        }
    out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
