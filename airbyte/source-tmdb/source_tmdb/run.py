"""Console script `source-tmdb`: the Airbyte protocol (spec, check, discover, read) on stdin/stdout."""

import sys

from airbyte_cdk.entrypoint import launch

from source_tmdb.source import SourceTmdb


def run() -> None:
    launch(SourceTmdb(), sys.argv[1:])


if __name__ == "__main__":
    run()
