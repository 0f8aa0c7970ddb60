"""Superset's configuration for the TMDB lakehouse; every value comes from the environment that
`tmdb-pipeline superset up` sets from SupersetSettings, or deploy/ sets in its containers (nothing
secret is written here)."""

import os
import re

from superset.errors import SupersetErrorType

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# metadata: SUPERSET_METADATA_DB_URI when set (deploy/: PostgreSQL, shared by the init job and every
# web server), else SQLite under SUPERSET_HOME (.local/superset/: a single local user)
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_DB_URI") or "sqlite:///" + os.path.join(
    os.environ["SUPERSET_HOME"], "superset.db"
)
# the Spark SQL endpoint answers in seconds, not milliseconds
SQLLAB_TIMEOUT = 300
SUPERSET_WEBSERVER_TIMEOUT = 300
WTF_CSRF_ENABLED = True
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}

# The endpoint down: say which command starts it instead of a bare Thrift socket error. Keyed by the
# bundle's database name (tmdb_pipeline.superset.dashboard.DATABASE_NAME; a unit test keeps them equal).
CUSTOM_DATABASE_ERRORS = {
    "TMDB lakehouse": {
        re.compile(r"Could not connect to any of \[\('(?P<host>[^']*)', (?P<port>\d+)\)"): (
            "The Spark SQL endpoint at %(host)s:%(port)s is not answering. Start it with "
            "`tmdb-pipeline sql-server up` (deploy/: the sql-endpoint service), then refresh.",
            SupersetErrorType.CONNECTION_HOST_DOWN_ERROR,
            {"show_issue_info": False},
        )
    }
}
