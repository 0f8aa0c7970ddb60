"""Main file of the SparkApplications (Spark operator): runs `tmdb-pipeline <arguments>`.

spark-submit accepts a Python application only as a `.py` file, so the `tmdb-pipeline` console
script cannot be named directly; this file is that script under a name spark-submit recognises.
"""

from __future__ import annotations

import sys

from tmdb_pipeline.cli import main

if __name__ == "__main__":
    sys.argv[0] = "tmdb-pipeline"
    main()
