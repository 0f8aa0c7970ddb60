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


def _endpoint_down_is_a_clear_error(app):
    """Some paths (a chart's cache key asks the database for its default schema) connect before any
    query runs, so the message above never applies there and Superset answers a bare 500: answer
    the same clear message for a Thrift connection failure wherever it happens."""
    from flask import jsonify
    from thrift.transport.TTransport import TTransportException

    def endpoint_down(error: TTransportException):
        message = (
            f"The Spark SQL endpoint is not answering ({error}). Start it with "
            "`tmdb-pipeline sql-server up` (deploy/: the sql-endpoint service), then refresh."
        )
        error_type = SupersetErrorType.CONNECTION_HOST_DOWN_ERROR.value
        body = {
            "message": message,
            "errors": [{"message": message, "error_type": error_type, "level": "error", "extra": {}}],
        }
        return jsonify(body), 503

    app.register_error_handler(TTransportException, endpoint_down)


FLASK_APP_MUTATOR = _endpoint_down_is_a_clear_error
