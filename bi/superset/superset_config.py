"""Superset's configuration for the TMDB lakehouse; every value comes from the environment that
`tmdb-pipeline superset up` sets from SupersetSettings, or deploy/ sets in its containers (nothing
secret is written here)."""

import os

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
