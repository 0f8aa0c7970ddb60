"""The speed layer: windowed aggregates from the Kafka topics straight into MongoDB `live_*`.

Three Structured Streaming queries, each with event time, a watermark and its own checkpoint:

- `reviews`: distinct reviews per movie and hour of `created_at` -> `live_movie_reviews`
- `popularity`: per movie and hour of extraction, the first and last popularity / vote seen ->
  `live_movie_popularity`
- `genres`: per genre and hour of extraction, the movies whose details changed -> `live_genre_activity`

Each runs in update mode: a micro-batch emits the *whole* current value of every (window, entity)
it touched, and foreachBatch upserts it by that key with `$set`. A replayed batch (after a crash)
recomputes the same values from the checkpointed state, so it changes nothing; and Spark commits
a batch to the checkpoint only after foreachBatch returns, so the checkpoint never runs ahead of
what MongoDB holds. The API sums the hourly buckets into its 24 h / 7 d figures at read time.

Records later than the watermark are dropped by Spark and counted (`numRowsDroppedByWatermark`);
malformed records are counted with `observe()` and skipped. Neither fails the job.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import MongoClient, UpdateOne
from pymongo.errors import PyMongoError
from pymongo.uri_parser import parse_uri
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from spark_streaming.checkpoint_lock import checkpoint_lock
from spark_streaming.envelope import ENVELOPE_SCHEMA
from spark_streaming.job import MAX_REPLAY_RESTARTS, is_replay_metrics_bug
from tmdb_pipeline.settings import KafkaSettings, LiveSettings, MongoSettings, StackSettings, load

log = logging.getLogger("spark_streaming.live")
# what a user can do when the checkpoint is taken (the stack's live service is the usual holder)
FREE_CHECKPOINT = (
    "Stop the other job (`tmdb-pipeline stack down` stops the stack's live service, LIVE_STACK=true), "
    "or give this one its own LIVE_CHECKPOINT_DIR."
)

STATUS_COLLECTION = "live_status"
HEARTBEAT_ID = "job"
HEARTBEAT_EVERY_S = 5.0
REVIEW_PAYLOAD = "id string, movie_id bigint, created_at string"
DETAIL_PAYLOAD = (
    "id bigint, title string, popularity double, vote_average double, vote_count bigint, "
    "genres array<struct<id: bigint, name: string>>"
)


class LiveSinkError(RuntimeError):
    """MongoDB did not take a batch after every retry; the job stops and its checkpoint stays."""


@dataclass(frozen=True)
class LiveQuery:
    name: str
    collection: str
    key: tuple[str, ...]  # the entity columns that, with the window, make a document's _id
    build: Callable[[SparkSession, KafkaSettings, LiveSettings], DataFrame]


@dataclass
class QueryTotals:
    batches: int = 0
    documents: int = 0
    records: int = 0
    malformed: int = 0
    late: int = 0


@dataclass
class LiveRun:
    queries: dict[str, QueryTotals] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


def _payloads(
    spark: SparkSession, kafka: KafkaSettings, settings: LiveSettings, stream: str, schema: str
) -> DataFrame:
    """The envelope and its payload, parsed; unparseable records come out as nulls."""
    return (
        spark.readStream.format("kafka")
        .options(**kafka.spark_source_options())
        .option("subscribe", f"{kafka.topic_prefix}{stream}")
        .option("startingOffsets", settings.starting_offsets)
        .option("failOnDataLoss", "true")
        .load()
        .select(F.from_json(F.col("value").cast("string"), ENVELOPE_SCHEMA).alias("envelope"))
        .select(
            F.from_json("envelope._airbyte_data", schema).alias("record"),
            F.timestamp_millis("envelope._airbyte_emitted_at").alias("extracted_at"),
        )
    )


def _observed(frame: DataFrame, name: str, bad: Column) -> DataFrame:
    """Count records and malformed ones (Spark's observe(): in each batch's progress), keep the good."""
    frame = frame.withColumn("bad", F.coalesce(bad, F.lit(True)))
    counted = frame.observe(
        name, F.count(F.lit(1)).alias("records"), F.sum(F.col("bad").cast("long")).alias("malformed")
    )
    return counted.where(~F.col("bad"))


def reviews_query(spark: SparkSession, kafka: KafkaSettings, settings: LiveSettings) -> DataFrame:
    frame = _payloads(spark, kafka, settings, settings.reviews_topic, REVIEW_PAYLOAD)
    frame = frame.select(
        F.col("record.id").alias("review_id"),
        F.col("record.movie_id").alias("movie_id"),
        F.to_timestamp("record.created_at").alias("event_time"),
    )
    good = _observed(
        frame,
        "reviews",
        F.col("review_id").isNull() | F.col("movie_id").isNull() | F.col("event_time").isNull(),
    )
    # a review is extracted again at every pass: count distinct ids, not records
    return (
        good.withWatermark("event_time", settings.reviews_watermark)
        .groupBy(F.window("event_time", settings.window), "movie_id")
        .agg(F.size(F.collect_set("review_id")).alias("reviews"))
    )


def _details(spark: SparkSession, kafka: KafkaSettings, settings: LiveSettings, name: str) -> DataFrame:
    frame = _payloads(spark, kafka, settings, settings.details_topic, DETAIL_PAYLOAD).select(
        F.col("record.id").alias("movie_id"),
        F.col("record.title").alias("title"),
        F.col("record.popularity").alias("popularity"),
        F.col("record.vote_average").alias("vote_average"),
        F.col("record.vote_count").alias("vote_count"),
        F.col("record.genres").alias("genres"),
        F.col("extracted_at").alias("event_time"),
    )
    bad = F.col("movie_id").isNull() | F.col("popularity").isNull() | F.col("event_time").isNull()
    return _observed(frame, name, bad).withWatermark("event_time", settings.details_watermark)


def popularity_query(spark: SparkSession, kafka: KafkaSettings, settings: LiveSettings) -> DataFrame:
    # the struct's first field orders it: the earliest and the latest snapshot of the hour, ties
    # broken by the values themselves so a replay picks the same one
    snapshot = F.struct("event_time", "popularity", "vote_average", "vote_count", "title")
    return (
        _details(spark, kafka, settings, "popularity")
        .groupBy(F.window("event_time", settings.window), "movie_id")
        .agg(
            F.min(snapshot).alias("first"),
            F.max(snapshot).alias("last"),
            F.count(F.lit(1)).alias("observations"),
        )
    )


def genres_query(spark: SparkSession, kafka: KafkaSettings, settings: LiveSettings) -> DataFrame:
    return (
        _details(spark, kafka, settings, "genres")
        .select("movie_id", "event_time", F.explode("genres").alias("genre"))
        .where(F.col("genre.name").isNotNull())
        .groupBy(F.window("event_time", settings.window), F.col("genre.name").alias("genre"))
        .agg(
            F.size(F.collect_set("movie_id")).alias("movies_updated"),
            F.count(F.lit(1)).alias("observations"),
        )
    )


QUERIES = (
    LiveQuery("reviews", "live_movie_reviews", ("movie_id",), reviews_query),
    LiveQuery("popularity", "live_movie_popularity", ("movie_id",), popularity_query),
    LiveQuery("genres", "live_genre_activity", ("genre",), genres_query),
)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def document(query: LiveQuery, row: dict[str, Any]) -> dict[str, Any]:
    """One output row -> its MongoDB document, keyed by entity and window start."""
    window = row.pop("window")
    start, end = _utc(window["start"]), _utc(window["end"])
    entity = "|".join(str(row[k]) for k in query.key)
    doc: dict[str, Any] = {
        "_id": f"{entity}|{start:%Y-%m-%dT%H:%M}Z",
        "window_start": start,
        "window_end": end,
    }
    if query.name == "popularity":
        first, last = row.pop("first"), row.pop("last")
        doc |= {
            "movie_id": row["movie_id"],
            "title": last["title"],
            "first_popularity": first["popularity"],
            "first_seen": _utc(first["event_time"]),
            "last_popularity": last["popularity"],
            "last_vote_average": last["vote_average"],
            "last_vote_count": last["vote_count"],
            "last_seen": _utc(last["event_time"]),
            "observations": row["observations"],
        }
    else:
        doc |= row
    return doc


class MongoSink:
    """Upserts each batch's documents, then the query's status; retried, then a clear stop."""

    def __init__(self, mongo: MongoSettings, settings: LiveSettings) -> None:
        self.settings = settings
        uri = mongo.uri.get_secret_value()
        # host:port only: the URI may carry credentials
        self.address = ",".join(f"{host}:{port}" for host, port in parse_uri(uri)["nodelist"])
        self.client: MongoClient[dict[str, Any]] = MongoClient(
            uri, serverSelectionTimeoutMS=mongo.server_selection_timeout_ms, tz_aware=True
        )
        self.db = self.client[mongo.database]
        self.writes = 0
        self.lock = threading.Lock()
        self.failure: LiveSinkError | None = None  # raised as itself, not inside Spark's wrapper
        self.backoff: Callable[[float], None] = time.sleep

    def write(self, query: LiveQuery, batch_id: int, docs: list[dict[str, Any]]) -> None:
        attempts = self.settings.mongo_attempts
        for attempt in range(1, attempts + 1):
            try:
                if docs:
                    self.db[query.collection].bulk_write(
                        [UpdateOne({"_id": d["_id"]}, {"$set": d}, upsert=True) for d in docs], ordered=False
                    )
                    self._count_write()
                self.db[STATUS_COLLECTION].update_one(
                    {"_id": query.name},
                    {
                        "$set": {
                            "batch_id": batch_id,
                            "as_of": datetime.now(UTC),
                            "collection": query.collection,
                        }
                    },
                    upsert=True,
                )
                return
            except PyMongoError as exc:
                if attempt == attempts:
                    self.failure = LiveSinkError(
                        f"MongoDB at {self.address} did not take batch {batch_id} of the '{query.name}' "
                        f"query after {attempts} tries ({type(exc).__name__}). Start it (`tmdb-pipeline "
                        "stack up`) and run `tmdb-pipeline live` again: it resumes at this batch."
                    )
                    raise self.failure from None
                log.warning(
                    "MongoDB write failed (%s), retry %d of %d", type(exc).__name__, attempt, attempts
                )
                self.backoff(2**attempt)

    def heartbeat(self) -> None:
        """`live_status.job.heartbeat_at`: the API serves live figures only while this is recent."""
        try:
            self.db[STATUS_COLLECTION].update_one(
                {"_id": HEARTBEAT_ID}, {"$set": {"heartbeat_at": datetime.now(UTC)}}, upsert=True
            )
        except PyMongoError as exc:  # the next batch's write retries and stops the job if it must
            log.warning("heartbeat not written (%s)", type(exc).__name__)

    def _count_write(self) -> None:
        with self.lock:
            self.writes += 1
            if self.writes == self.settings.fault_kill_after_writes:
                os.kill(os.getpid(), signal.SIGKILL)  # crash test: die inside a batch


def _writer(query: LiveQuery, sink: MongoSink, totals: QueryTotals) -> Callable[[DataFrame, int], None]:
    def write_batch(batch: DataFrame, batch_id: int) -> None:
        docs = [document(query, row.asDict(recursive=True)) for row in batch.collect()]
        sink.write(query, batch_id, docs)
        totals.batches += 1
        totals.documents += len(docs)

    return write_batch


def _count_progress(query: StreamingQuery, totals: QueryTotals, seen: set[int], name: str) -> None:
    for progress in query.recentProgress:
        batch = progress.batchId
        if batch in seen or progress.numInputRows == 0:  # idle reports repeat the next batch's id
            continue
        seen.add(batch)
        observed = progress.observedMetrics.get(name)
        if observed is not None:
            totals.records += int(observed["records"] or 0)
            totals.malformed += int(observed["malformed"] or 0)
        totals.late += sum(op.numRowsDroppedByWatermark for op in progress.stateOperators)


@contextlib.contextmanager
def held_checkpoint(settings: LiveSettings) -> Iterator[str]:
    """The live job's checkpoint, locked while the block runs (CheckpointInUse if another job holds it)."""
    checkpoint = settings.checkpoint(load(StackSettings)).rstrip("/")
    with checkpoint_lock(checkpoint, "live", FREE_CHECKPOINT):
        yield checkpoint


def check_checkpoint_free(settings: LiveSettings | None = None) -> None:
    """Raise CheckpointInUse now, before Spark starts, if another live job holds the checkpoint
    (run_live takes the lock for the run itself)."""
    with held_checkpoint(settings or load(LiveSettings)):
        pass


def run_live(
    spark: SparkSession,
    continuous: bool,
    settings: LiveSettings | None = None,
    stop_event: threading.Event | None = None,
    on_progress: Callable[[LiveRun], None] | None = None,
) -> LiveRun:
    """Run the three queries; --once (availableNow) returns when Kafka's current records are done.
    Raises CheckpointInUse when another live job runs on the same checkpoint."""
    settings = settings or load(LiveSettings)
    with held_checkpoint(settings) as checkpoint:
        return _run_queries(spark, continuous, settings, checkpoint, stop_event, on_progress)


def _run_queries(
    spark: SparkSession,
    continuous: bool,
    settings: LiveSettings,
    checkpoint: str,
    stop_event: threading.Event | None,
    on_progress: Callable[[LiveRun], None] | None,
) -> LiveRun:
    kafka = load(KafkaSettings)
    sink = MongoSink(load(MongoSettings), settings)
    sink.client.admin.command("ping")  # fail now, with pymongo's reason, rather than in the first batch
    run = LiveRun()

    def start(spec: LiveQuery) -> StreamingQuery:
        totals = run.queries.setdefault(spec.name, QueryTotals())
        writer = (
            spec.build(spark, kafka, settings)
            .writeStream.outputMode("update")
            .foreachBatch(_writer(spec, sink, totals))
            .option("checkpointLocation", f"{checkpoint}/{spec.name}")
            .queryName(f"live_{spec.name}")
        )
        if continuous:
            return writer.trigger(processingTime=f"{settings.trigger_interval_s} seconds").start()
        return writer.trigger(availableNow=True).start()

    running = {spec.name: start(spec) for spec in QUERIES}
    seen: dict[str, set[int]] = {spec.name: set() for spec in QUERIES}
    restarts = dict.fromkeys(running, 0)
    stop = stop_event or threading.Event()
    beat = 0.0
    try:
        while not stop.is_set():
            if time.monotonic() - beat >= HEARTBEAT_EVERY_S:
                sink.heartbeat()
                beat = time.monotonic()
            for spec in QUERIES:
                query = running[spec.name]
                _count_progress(query, run.queries[spec.name], seen[spec.name], spec.name)
                if sink.failure is not None:
                    raise sink.failure
                if (failure := query.exception()) is not None:
                    if not is_replay_metrics_bug(failure) or restarts[spec.name] >= MAX_REPLAY_RESTARTS:
                        raise failure
                    # the replayed batch is committed; only its progress report failed: go on
                    log.warning(
                        "Spark 4.1 Kafka metrics bug after replaying a batch; restarting %s", spec.name
                    )
                    restarts[spec.name] += 1
                    running[spec.name] = start(spec)
            if on_progress:
                on_progress(run)
            if not any(query.isActive for query in running.values()):
                break
            stop.wait(1.0)
        if not stop.is_set():
            sink.heartbeat()  # --once is done: as of now, everything Kafka held is in MongoDB
    finally:
        for query in running.values():
            if query.isActive:
                query.stop()
        sink.client.close()
    return run
