#!/bin/sh
# Superset in deploy/ (the entrypoint of deploy/bi/superset.Dockerfile):
#   init    migrate the metadata database, sync roles and permissions, then bi/superset/bootstrap.py:
#           the admin (TMDB_SUPERSET_ADMIN[_PASSWORD]) and the dashboard bundle with its database URI
#           from TMDB_SUPERSET_DATABASE_URI. Idempotent, as `tmdb-pipeline superset up` runs it.
#   serve   the web server on 0.0.0.0:8088, gunicorn as the local stack runs it
#   *       run as given
set -eu

case "${1:-serve}" in
  init)
    superset db upgrade
    superset init
    exec python /app/bootstrap.py
    ;;
  serve)
    exec gunicorn --workers=1 --threads=4 --timeout=300 --bind=0.0.0.0:8088 "superset.app:create_app()"
    ;;
  *)
    exec "$@"
    ;;
esac
