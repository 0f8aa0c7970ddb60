"""Where the emitter's proposals go: DataHub's REST API when an address is set, else a metadata file
in the same format as the recipes' file sink (DataHub can load it later: `datahub ingest` with the
`file` source)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.sink.file import write_metadata_file

from tmdb_pipeline.lineage.settings import LineageSettings


class LineageError(Exception):
    """Lineage could not be written or checked; the message says why (never with the token)."""


def write_file(mcps: Sequence[MetadataChangeProposalWrapper], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_metadata_file(path, mcps)
    return path


def emit_rest(mcps: Sequence[MetadataChangeProposalWrapper], settings: LineageSettings) -> int:
    from datahub.emitter.rest_emitter import DatahubRestEmitter

    token = settings.gms_token.get_secret_value() if settings.gms_token else None
    emitter = DatahubRestEmitter(settings.gms_url, token=token)
    try:
        emitter.test_connection()
        emitter.emit_mcps(list(mcps))
    except Exception as exc:  # the client raises several types; all mean the same to the user
        detail = str(exc)[:300].replace(token, "***") if token else str(exc)[:300]
        raise LineageError(
            f"DataHub at DATAHUB_GMS_URL={settings.gms_url} did not accept the lineage: "
            f"{type(exc).__name__}: {detail}. Check the address and DATAHUB_GMS_TOKEN, "
            "or unset DATAHUB_GMS_URL to write files instead."
        ) from None
    finally:
        emitter.close()
    return len(mcps)
