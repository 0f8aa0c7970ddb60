"""Apache Superset over the Spark SQL endpoint, run from its own locked environment (bi/superset/)."""
