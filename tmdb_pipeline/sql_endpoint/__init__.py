"""The Spark SQL endpoint: Spark's Thrift (HiveServer2) server on the pipeline's own SparkSession."""
