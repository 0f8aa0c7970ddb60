"""Kafka -> Bronze: a thin Spark Structured Streaming job landing `tmdb_*` topics as Iceberg tables."""
