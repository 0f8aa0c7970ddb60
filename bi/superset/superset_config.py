"""Superset's configuration for the TMDB lakehouse; every value comes from the environment that
`tmdb-pipeline superset up` sets from SupersetSettings (nothing secret is written here)."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# metadata in SQLite under .local/ (a single local user; deploy/ would use PostgreSQL)
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(os.environ["SUPERSET_HOME"], "superset.db")
# the Spark SQL endpoint answers in seconds, not milliseconds
SQLLAB_TIMEOUT = 300
SUPERSET_WEBSERVER_TIMEOUT = 300
WTF_CSRF_ENABLED = True
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
