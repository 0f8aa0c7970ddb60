"""The extract runner: the Airbyte source's records into Kafka, its state saved only after Kafka has them."""
