"""The pipeline as a whole: one pass, the continuous mode (`pipeline`) and the README's demo (`demo`).

With the CLI, the only part of tmdb_pipeline that imports the stages (spark_streaming, serving_api):
the core below them never does (import-linter's contracts in pyproject.toml check it).
"""
