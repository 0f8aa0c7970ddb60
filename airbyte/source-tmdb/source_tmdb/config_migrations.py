"""Config migrations: configs saved by an older version, rewritten into today's shape on the way in.

0.1.x had the credential as two optional top-level keys (`api_key`, `read_access_token`); 0.2 has a
required `credentials` oneOf. A flat config is rewritten in `SourceTmdb.configure`, before the
entrypoint validates it against the spec, and the rewritten config is announced with a
CONNECTOR_CONFIG control message so the platform stores it (the CDK's config-update protocol).
When both keys were set, the API key is kept, as 0.1.x used it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FLAT_CREDENTIAL_KEYS = ("api_key", "read_access_token")


class MigrateFlatCredentials:
    @staticmethod
    def should_migrate(config: Mapping[str, Any]) -> bool:
        return "credentials" not in config and any(config.get(key) for key in FLAT_CREDENTIAL_KEYS)

    @staticmethod
    def transform(config: Mapping[str, Any]) -> dict[str, Any]:
        migrated = {key: value for key, value in config.items() if key not in FLAT_CREDENTIAL_KEYS}
        if config.get("api_key"):
            migrated["credentials"] = {"auth_type": "api_key", "api_key": config["api_key"]}
        else:
            migrated["credentials"] = {
                "auth_type": "read_access_token",
                "read_access_token": config["read_access_token"],
            }
        return migrated
