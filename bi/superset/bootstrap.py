"""Run by `tmdb-pipeline superset up` inside Superset's own environment, after `superset db upgrade`
and `superset init`: the admin user (password from the environment, never from argv) and the
database connection to the Spark SQL endpoint."""

import os

from superset.app import create_app

app = create_app()
with app.app_context():
    from superset import db, security_manager
    from superset.models.core import Database

    username, password = os.environ["TMDB_SUPERSET_ADMIN"], os.environ["TMDB_SUPERSET_ADMIN_PASSWORD"]
    user = security_manager.find_user(username=username)
    if user is None:
        security_manager.add_user(
            username, "TMDB", "Admin", f"{username}@localhost", security_manager.find_role("Admin"), password
        )
    else:  # the setting wins: a changed password takes effect at the next start
        security_manager.reset_password(user.id, password)

    name, uri = os.environ["TMDB_SUPERSET_DATABASE"], os.environ["TMDB_SUPERSET_DATABASE_URI"]
    database = db.session.query(Database).filter_by(database_name=name).one_or_none()
    if database is None:
        database = Database(database_name=name, expose_in_sqllab=True)
        db.session.add(database)
    database.set_sqlalchemy_uri(uri)
    db.session.commit()
