"""Run by `tmdb-pipeline superset up` inside Superset's own environment, after `superset db upgrade`
and `superset init`: the admin user (password from the environment, never from argv), then the
dashboard bundle kept as code in bi/superset/assets/ (database, datasets, charts, dashboard),
imported over any earlier copy, with the database's URI taken from the environment."""

import os
from pathlib import Path

import yaml
from flask import g
from superset.app import create_app

app = create_app()
with app.app_context():
    from superset import db, security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand

    username, password = os.environ["TMDB_SUPERSET_ADMIN"], os.environ["TMDB_SUPERSET_ADMIN_PASSWORD"]
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(
            username, "TMDB", "Admin", f"{username}@localhost", security_manager.find_role("Admin"), password
        )
    else:  # the setting wins: a changed password takes effect at the next start
        security_manager.reset_password(user.id, password)
    db.session.commit()

    assets = Path(os.environ["TMDB_SUPERSET_ASSETS"])
    contents = {str(p.relative_to(assets)): p.read_text() for p in sorted(assets.rglob("*.yaml"))}
    for name in [n for n in contents if n.startswith("databases/")]:
        database = yaml.safe_load(contents[name])
        database["sqlalchemy_uri"] = os.environ["TMDB_SUPERSET_DATABASE_URI"]
        contents[name] = yaml.safe_dump(database, sort_keys=False)
    with app.test_request_context():
        g.user = user  # the importer checks the acting user's permissions
        ImportAssetsCommand(contents).run()
    print(f"imported {len(contents) - 1} assets from {assets}")
