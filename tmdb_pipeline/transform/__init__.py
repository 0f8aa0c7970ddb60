"""Silver and Gold: dbt-spark run in-process, on the session that has the Iceberg catalog and the UDF."""
