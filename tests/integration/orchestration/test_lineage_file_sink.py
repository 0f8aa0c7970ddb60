"""The local Airflow's DataHub file sink (orchestration/airflow/plugins/lineage_file_sink.py), in
Airflow's own interpreter with the service's configuration: Airflow loads it with the plugins, and
records appended one by one, by several emitters and beside DataHub's own rewriting emit, make the
very file DataHub's `write_metadata_file` writes for the same records.

Needs Airflow's environment but no service, like test_dagbag.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .conftest import airflow_service

CHECK = r"""
import json, sys
from pathlib import Path

from airflow.listeners.listener import get_listener_manager
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.synchronized_file_emitter import SynchronizedFileEmitter
from datahub.ingestion.sink.file import write_metadata_file
from datahub.ingestion.source.file import read_metadata_file
from datahub.metadata.schema_classes import DataJobInfoClass, DataJobInputOutputClass, StatusClass

folder = Path(sys.argv[1])
get_listener_manager()  # as a task process does before its listeners run: the plugins load
patched = SynchronizedFileEmitter.emit.__module__

flow = "urn:li:dataFlow:(airflow,tmdb_batch_pass,prod)"
records = []
for i in range(40):
    job = f"urn:li:dataJob:({flow},task_{i})"
    records += [
        MetadataChangeProposalWrapper(entityUrn=job, aspect=StatusClass(removed=False)),
        MetadataChangeProposalWrapper(
            entityUrn=job,
            aspect=DataJobInfoClass(name=f"task {i}", type="COMMAND", customProperties={"quote": 'a "b"\n'}),
        ),
        MetadataChangeProposalWrapper(
            entityUrn=job,
            aspect=DataJobInputOutputClass(
                inputDatasets=[f"urn:li:dataset:(urn:li:dataPlatform:kafka,tmdb.{i},PROD)"], outputDatasets=[]
            ),
        ),
    ]

appended = folder / "appended.json"
emitters = [SynchronizedFileEmitter(str(appended)) for _ in range(3)]
for n, record in enumerate(records):
    emitters[n % 3].emit(record)

mixed = folder / "mixed.json"  # every fifth record through DataHub's own (rewriting) emit
original = sys.modules[SynchronizedFileEmitter.emit.__module__]._rewrite
for n, record in enumerate(records):
    emitter = SynchronizedFileEmitter(str(mixed))
    original(emitter, record) if n % 5 == 0 else emitter.emit(record)

after_empty = folder / "after_empty.json"  # a file DataHub wrote with no record in it
write_metadata_file(after_empty, [])
SynchronizedFileEmitter(str(after_empty)).emit(records[0])

expected = folder / "expected.json"
write_metadata_file(expected, records)
one = folder / "one.json"
write_metadata_file(one, records[:1])
Path(sys.argv[2]).write_text(json.dumps({
    "patched": patched,
    "appended_equals": appended.read_bytes() == expected.read_bytes(),
    "mixed_equals": mixed.read_bytes() == expected.read_bytes(),
    "after_empty_equals": after_empty.read_bytes() == one.read_bytes(),
    "read_back": len(list(read_metadata_file(appended))),
    "records": len(records),
}))
"""


def test_given_the_plugins_when_records_are_emitted_one_by_one_then_the_file_is_the_one_datahub_writes(
    tmp_path: Path,
):
    service = airflow_service(home=tmp_path / "airflow")
    out = tmp_path / "result.json"
    done = subprocess.run(
        [service.bin("python"), "-c", CHECK, str(tmp_path), str(out)],
        env=service.environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())

    assert result["patched"] == "lineage_file_sink"
    assert result["appended_equals"]
    assert result["mixed_equals"]
    assert result["after_empty_equals"]
    assert result["read_back"] == result["records"] == 120
