"""The local stack's real services: Kafka, the MongoDB-protocol server, Spark + Iceberg + pyiceberg."""

from __future__ import annotations

import socket
import uuid

import pyarrow as pa
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from pymongo import ASCENDING, MongoClient

from tmdb_pipeline.orchestrate.stack import api_address
from tmdb_pipeline.settings import KafkaSettings, MongoSettings, SparkSettings, StackSettings, load
from tmdb_pipeline.stack.catalog import get_catalog
from tmdb_pipeline.stack.manager import LocalStack
from tmdb_pipeline.stack.process import StackError, free_port

pytestmark = pytest.mark.integration


def _create_topic(bootstrap: str, name: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])[name].result(timeout=30)


def test_given_the_stack_when_producing_with_acks_all_then_a_consumer_reads_every_record(local_stack):
    bootstrap = load(KafkaSettings).bootstrap_servers
    topic = f"test_roundtrip_{uuid.uuid4().hex[:8]}"
    _create_topic(bootstrap, topic)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    delivered: list[int] = []
    for i in range(100):
        producer.produce(
            topic, key=str(i), value=f"movie-{i}", on_delivery=lambda err, msg: delivered.append(msg.offset())
        )
    assert producer.flush(30) == 0
    assert len(delivered) == 100

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": topic, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    seen: set[str] = set()
    try:
        for _ in range(200):
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                seen.add(message.value().decode())
            if len(seen) == 100:
                break
    finally:
        consumer.close()
    assert seen == {f"movie-{i}" for i in range(100)}


def test_given_no_tmdb_key_when_the_stack_is_up_then_the_emulator_answers_tmdb_requests(local_stack):
    import httpx

    emulator = local_stack.emulator
    assert emulator is not None
    answer = httpx.get(
        f"{emulator.base_url}/genre/movie/list", params={"api_key": emulator.emulator.api_key}, timeout=10
    )
    assert answer.status_code == 200
    assert {"id": 28, "name": "Action"} in answer.json()["genres"]


def test_given_the_stack_when_asking_its_status_then_the_broker_reports_apache_kafka_4(local_stack):
    kafka = next(s for s in local_stack.status() if s.name == "kafka")
    assert kafka.healthy
    # read from what the broker itself logged at start-up (AppInfoParser), not from our settings
    assert kafka.detail == f"Apache Kafka {load(KafkaSettings).version} (KRaft)"
    assert kafka.detail.startswith("Apache Kafka 4.")


def test_given_spark_when_it_writes_an_iceberg_table_then_pyiceberg_reads_it_back(spark):
    table = f"stack_test.spark_{uuid.uuid4().hex[:8]}"
    spark.sql("create namespace if not exists stack_test")
    spark.sql(f"create table {table} (id bigint, title string) using iceberg")
    spark.sql(f"insert into {table} values (1, 'Heat'), (2, 'Alien')")

    rows = get_catalog().load_table(table).scan().to_arrow().sort_by("id").to_pylist()

    assert rows == [{"id": 1, "title": "Heat"}, {"id": 2, "title": "Alien"}]


def test_given_pyiceberg_when_it_writes_a_table_then_spark_reads_it_back(spark):
    catalog = get_catalog()
    catalog.create_namespace_if_not_exists("stack_test")
    name = f"stack_test.pyiceberg_{uuid.uuid4().hex[:8]}"
    table = catalog.create_table(name, schema=pa.schema([("id", pa.int64()), ("title", pa.string())]))
    table.append(pa.table({"id": [7, 8], "title": ["Up", "Ran"]}))

    rows = spark.sql(f"select id, title from {name} order by id").collect()

    assert [(r.id, r.title) for r in rows] == [(7, "Up"), (8, "Ran")]


def test_given_the_mongodb_server_when_inserting_indexing_and_grouping_then_results_are_right(local_stack):
    settings = load(MongoSettings)
    client: MongoClient = MongoClient(settings.uri.get_secret_value(), serverSelectionTimeoutMS=5000)
    collection = client[settings.database][f"stack_{uuid.uuid4().hex[:8]}"]
    collection.insert_many(
        [{"_id": i, "genre": ["Drama", "Comedy", "Horror"][i % 3], "votes": i} for i in range(30)]
    )
    assert collection.find_one({"_id": 4}) == {"_id": 4, "genre": "Comedy", "votes": 4}
    assert collection.create_index([("genre", ASCENDING)]) == "genre_1"
    assert "genre_1" in collection.index_information()

    totals = {
        doc["_id"]: doc["votes"]
        for doc in collection.aggregate([{"$group": {"_id": "$genre", "votes": {"$sum": "$votes"}}}])
    }

    assert totals == {
        "Drama": sum(range(0, 30, 3)),
        "Comedy": sum(range(1, 30, 3)),
        "Horror": sum(range(2, 30, 3)),
    }
    client.close()


def test_given_a_running_stack_when_up_runs_again_then_nothing_restarts(local_stack):
    before = {s.name: s.pid for s in local_stack.status()}

    report = LocalStack.from_env(api_address()).up()

    assert report.started == []
    assert sorted(report.reused) == ["kafka", "mongodb", "tmdb-emulator"]
    assert {s.name: s.pid for s in local_stack.status()} == before


def test_given_topics_and_tables_when_the_stack_restarts_then_both_are_kept(local_stack, spark):
    bootstrap = load(KafkaSettings).bootstrap_servers
    topic = f"test_keep_{uuid.uuid4().hex[:8]}"
    _create_topic(bootstrap, topic)
    Producer({"bootstrap.servers": bootstrap}).produce(topic, value=b"kept")
    spark.sql("create namespace if not exists stack_test")
    table = f"stack_test.keep_{uuid.uuid4().hex[:8]}"
    spark.sql(f"create table {table} (id int) using iceberg")
    spark.sql(f"insert into {table} values (42)")

    assert sorted(local_stack.down()) == ["kafka", "mongodb", "tmdb-emulator"]
    assert not any(s.running for s in local_stack.status())
    report = local_stack.up()

    assert sorted(report.started) == ["kafka", "mongodb", "tmdb-emulator"]
    topics = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics
    assert topic in topics
    assert get_catalog().load_table(table).scan().to_arrow().to_pylist() == [{"id": 42}]


def test_given_a_port_held_by_another_program_when_up_then_it_names_the_port_and_starts_nothing(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        stack = LocalStack(
            StackSettings(home=tmp_path, downloads=load(StackSettings).downloads),
            KafkaSettings(port=free_port(), controller_port=free_port()),
            MongoSettings(port=taken),
            load(SparkSettings),
            api=api_address(),
        )

        with pytest.raises(StackError, match=f"127.0.0.1:{taken} \\(needed by mongodb\\)"):
            stack.up()

        assert not any(s.running for s in stack.status())
        assert not (tmp_path / "kafka" / "kafka.pid").exists()
