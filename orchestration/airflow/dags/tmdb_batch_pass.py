"""The TMDB lakehouse's batch pass as an Airflow DAG, and the lakehouse's daily maintenance as another.

extract -> land (--once) -> sql_endpoint -> transform (one task per dbt model, rendered by Cosmos from
dbt's manifest) -> sync_serving -> dbt_docs -> lineage.

Every task runs the pipeline through its CLI (`tmdb-pipeline ...`, or plain dbt over the Spark SQL
endpoint) from the pipeline's own environment: nothing of Spark, Kafka or dbt is imported into
Airflow's processes. With AIRFLOW_DAG_TASK_RUNNER=kubernetes each task is instead a pod of the
pipeline's image (KubernetesPodOperator, Cosmos's Kubernetes mode for the models), the SQL endpoint a
Deployment of its own (deploy/k8s/components/bi) rather than a task. Each stage is idempotent (Kafka keys + state saved after the flush, exactly-once
landing, merge models, upserts keyed by id), so clearing a failed task re-runs it and what follows
without duplicating anything. DataHub's Airflow plugin emits each task as a DataJob between the
datasets of its inlets and outlets (the lineage plan, written by the pipeline).

tmdb_lakehouse_maintenance runs `tmdb-pipeline lakehouse maintain` daily: Bronze's small files
compacted, snapshots older than a day expired in every layer (each pass's rewrites stay on storage
until then). It can run beside a pass: Iceberg's commits are optimistic. With the Kubernetes task
runner the deployment's CronJob does this instead.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, BaseOperator, chain
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior, TestIndirectSelection
from datahub_airflow_plugin.entities import Urn
from tmdb_dag.config import MAX_RETRY_DELAY, TIMEOUTS, DagConfig, cross_model_tests
from tmdb_dag.lineage import PREPARE_HINT, Iolets, read_plan

DAG_ID = "tmdb_batch_pass"
MAINTENANCE_DAG_ID = "tmdb_lakehouse_maintenance"
config = DagConfig.from_env()
plan = read_plan(config.lineage_plan)
if config.dbt_mode == "endpoint" and not config.manifest.exists():
    raise FileNotFoundError(f"The DAG's dbt manifest {config.manifest} is missing: {PREPARE_HINT}.")


def lineage(iolets: Iolets) -> dict[str, list[Urn]]:
    return {"inlets": [Urn(u) for u in iolets.inlets], "outlets": [Urn(u) for u in iolets.outlets]}


def in_pod(task_id: str, command: list[str], env: dict[str, str] | None = None, **kwargs: object):
    """A pod of the pipeline's image running `command`; its log is the task log."""
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    assert config.pod is not None
    return KubernetesPodOperator(
        task_id=task_id,
        name=f"tmdb-{task_id.replace('_', '-')}",
        image=config.pod.image,
        namespace=config.pod.namespace,
        pod_template_file=str(config.pod.template),
        arguments=command,  # the image's entrypoint (tini) runs it
        env_vars=env or {},
        get_logs=True,
        on_finish_action="delete_succeeded_pod",  # a failed task's pod stays for `kubectl logs`
        **kwargs,  # type: ignore[arg-type]
    )


def pipeline(task_id: str, *args: str, env: dict[str, str] | None = None, **kwargs: object) -> BaseOperator:
    """A task running `tmdb-pipeline <args>`: its output (the stage's own error included) is the task log."""
    io = {"execution_timeout": TIMEOUTS[task_id], **lineage(plan.task(task_id)), **kwargs}
    if config.pod:
        return in_pod(task_id, ["tmdb-pipeline", *args], env, **io)
    return BashOperator(
        task_id=task_id,
        bash_command=shlex.join([str(config.cli), *args]),
        cwd=str(config.pipeline_home),
        env=env,
        append_env=True,
        **io,  # type: ignore[arg-type]
    )


def plain_dbt(task_id: str, target: str, *args: str, **kwargs: object) -> BaseOperator:
    """Plain dbt over the endpoint, its artifacts and log in `target` (dbt_project/target stays as is)."""
    project = str(config.pod.dbt_project if config.pod else config.dbt_project)
    dbt = "dbt" if config.pod else str(config.dbt)
    command = [dbt, *args, "--project-dir", project, "--profiles-dir", project, "--target", "endpoint",
               "--target-path", target, "--log-path", target]  # fmt: skip
    if config.pod:
        return in_pod(task_id, command, **kwargs)
    return BashOperator(task_id=task_id, bash_command=shlex.join(command), cwd=project, **kwargs)  # type: ignore[arg-type]


DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": config.retries,
    "retry_delay": config.retry_delay,
    "retry_exponential_backoff": True,
    "max_retry_delay": MAX_RETRY_DELAY,
}

# dbt docs and its lineage reader share a folder: the artifacts locally, the pods' volume in k8s
artifacts = config.pod.artifacts if config.pod else config.artifacts


with DAG(
    dag_id=DAG_ID,
    description="TMDB -> Kafka -> Bronze -> Silver/Gold (one task per dbt model) -> MongoDB, with lineage",
    doc_md=__doc__,
    schedule=config.schedule,
    start_date=datetime(2025, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # two passes at once would race on the landing checkpoint and dbt's merges
    max_active_tasks=1,  # the stages are Spark JVMs on one machine; the endpoint is one Spark session
    default_args=DEFAULT_ARGS,
    tags=["tmdb", "lakehouse"],
) as dag:
    extract = pipeline("extract", "extract")
    steps = [extract]
    if config.landing == "once":
        # with `land --continuous` running as a service, Bronze follows Kafka on its own
        steps.append(pipeline("land", "land", "--once"))
    if config.dbt_mode == "session":
        steps.append(pipeline("transform", "transform"))
    else:
        if not config.pod:  # in k8s the endpoint is a Deployment; a model's pod fails while it is down
            steps.append(pipeline("sql_endpoint", "sql-server", "up"))
        if config.pod:
            from cosmos.constants import ExecutionMode as Mode

            execution = ExecutionConfig(
                execution_mode=Mode.KUBERNETES, dbt_project_path=config.pod.dbt_project
            )
            pod_args = {
                "image": config.pod.image,
                "namespace": config.pod.namespace,
                "pod_template_file": str(config.pod.template),
                "get_logs": True,
                "on_finish_action": "delete_succeeded_pod",
            }
        else:
            execution = ExecutionConfig(
                execution_mode=ExecutionMode.LOCAL,
                invocation_mode=InvocationMode.SUBPROCESS,
                dbt_executable_path=str(config.dbt),
                test_indirect_selection=TestIndirectSelection.CAUTIOUS,
            )
            pod_args = {}
        transform = DbtTaskGroup(
            group_id="transform",
            # in pods, the project is the image's (ExecutionConfig); Cosmos then wants it named here
            project_config=ProjectConfig(
                dbt_project_path=None if config.pod else config.dbt_project,
                manifest_path=config.manifest,
                project_name="tmdb" if config.pod else None,
                install_dbt_deps=False,
            ),
            profile_config=ProfileConfig(
                profile_name="tmdb",
                target_name="endpoint",
                profiles_yml_filepath=config.dbt_project / "profiles.yml",
            ),
            # cautious: a model's task runs the tests on that model alone; tests over two models
            # (relationships) wait for both, in `cross_model_tests` below
            execution_config=execution,
            # `dbt build --select <model>`: each model and its tests are one task, re-runnable alone.
            # The on-run-start hook is no node to run: every dbt invocation runs it itself.
            render_config=RenderConfig(
                load_method=LoadMode.DBT_MANIFEST,
                test_behavior=TestBehavior.BUILD,
                exclude=["resource_type:operation"],
                emit_datasets=False,
            ),
            operator_args={"execution_timeout": TIMEOUTS["dbt_model"], **pod_args},
        )
        leaves = [task for task in transform.children.values() if not task.downstream_task_ids]
        for unique_id, task in transform.tasks_map.items():
            io = lineage(plan.model(unique_id.rsplit(".", 1)[-1]))
            task.inlets, task.outlets = io["inlets"], io["outlets"]
        if cross_model := cross_model_tests(config.manifest):
            # one dbt invocation for all of them: each alone would cost more than the test itself
            checks = plain_dbt(
                "cross_model_tests",
                str(artifacts / "dbt-tests"),
                "test",
                "--select",
                *cross_model,
                task_group=transform,
                execution_timeout=TIMEOUTS["dbt_model"],
            )
            chain(leaves, checks)
        steps.append(transform)
    steps.append(pipeline("sync_serving", "sync-serving"))
    lineage_env = {}
    if config.dbt_mode == "endpoint":
        # the dbt recipe reads manifest + catalog: written here, as Cosmos's runs keep theirs in temp dirs
        docs = str(artifacts / "dbt-docs")
        steps.append(plain_dbt("dbt_docs", docs, "docs", "generate", execution_timeout=TIMEOUTS["dbt_docs"]))
        lineage_env = {"DATAHUB_DBT_TARGET_DIR": docs}
    steps.append(pipeline("lineage", "lineage", env=lineage_env))
    chain(*steps)


# in Kubernetes the deployment's CronJob lakehouse-maintenance does it (deploy/k8s/base)
if not config.pod:
    with DAG(
        dag_id=MAINTENANCE_DAG_ID,
        description="Compact Bronze's files, expire old snapshots in every layer (lakehouse maintain)",
        schedule="@daily",
        start_date=datetime(2025, 1, 1, tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["tmdb", "lakehouse", "maintenance"],
    ) as maintenance_dag:
        pipeline("maintain", "lakehouse", "maintain")
