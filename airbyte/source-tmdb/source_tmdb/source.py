"""`SourceTmdb`: check, the stream list, and the read that shares one budget and one movie fetch.

Every stream built for a sync draws from one `HttpAPIBudget` (config `requests_per_second`), and the
per-movie streams share one `MovieHub` (see streams/movie_hub.py) so each movie costs one request
whichever of movie_details, credits, reviews and people are selected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import requests
from airbyte_cdk.config_observation import create_connector_config_control_message
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Level,
    Status,
    SyncMode,
    Type,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tmdb.config import MISSING_CREDENTIALS, TmdbConfig
from source_tmdb.config_migrations import MigrateFlatCredentials
from source_tmdb.http import TmdbErrorHandler, request_budget
from source_tmdb.request_counts import COUNTER
from source_tmdb.streams import (
    ChangesStream,
    Credits,
    Genres,
    MovieDetails,
    MovieHub,
    Movies,
    People,
    Reviews,
    SyncContext,
    SyncPlan,
)

logger = logging.getLogger("airbyte.source_tmdb")


class CheckGenres(Genres):
    """The check's request: few retries, so a dead host fails in seconds rather than minutes."""

    retry_limit = 2

    def get_error_handler(self) -> TmdbErrorHandler:
        self.error_handler = TmdbErrorHandler(self.logger, max_retries=self.retry_limit)
        return self.error_handler


class SourceTmdb(AbstractSource):
    def __init__(self) -> None:
        self._context = SyncContext()
        self._hub: MovieHub | None = None

    def configure(self, config: Mapping[str, Any], temp_dir: str) -> Mapping[str, Any]:
        # Runs before the entrypoint validates the config against the spec, so old configs pass it.
        if MigrateFlatCredentials.should_migrate(config):
            config = MigrateFlatCredentials.transform(config)
            # Queued, and printed by the entrypoint right after configure: the platform saves it.
            if self.message_repository is not None:
                self.message_repository.emit_message(create_connector_config_control_message(dict(config)))
        return super().configure(config, temp_dir)

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # AbstractSource.check repr()s the message; ours is already a sentence for the user.
        ok, message = self.check_connection(logger, config)
        if ok:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        return AirbyteConnectionStatus(status=Status.FAILED, message=filter_secrets(str(message)))

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        try:
            tmdb = TmdbConfig.from_mapping(config)
        except AirbyteTracedException as error:
            return False, error.message
        if not tmdb.has_credentials:
            return False, MISSING_CREDENTIALS
        genres = CheckGenres(tmdb, request_budget(tmdb.requests_per_second))
        try:
            next(iter(genres.read_records(SyncMode.full_refresh)), None)
        except AirbyteTracedException as error:
            return False, _check_failure(error, tmdb, genres.error_handler.last_transport_error)
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        tmdb = TmdbConfig.from_mapping(config)
        budget = request_budget(tmdb.requests_per_second)
        movies = Movies(tmdb, budget)
        self._hub = MovieHub(tmdb, budget, logger)
        # One instance for the public stream and the plan: each window is requested once per sync.
        movie_changes = ChangesStream(tmdb, budget, "movie")
        plan = SyncPlan(
            movies=movies,
            movie_changes=movie_changes,
            person_changes=ChangesStream(tmdb, budget, "person"),
            hub=self._hub,
            context=self._context,
        )
        return [
            Genres(tmdb, budget),
            movies,
            MovieDetails(plan),
            Credits(plan),
            Reviews(plan),
            People(plan),
            movie_changes,
        ]

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        if not TmdbConfig.from_mapping(config).has_credentials:
            raise AirbyteTracedException(message=MISSING_CREDENTIALS, failure_type=FailureType.config_error)
        # The plan needs every selected stream's mode and state before the first stream starts.
        self._context = SyncContext.from_catalog(catalog, state)
        for message in super().read(logger, config, catalog, state):
            yield message
            if message.type == Type.TRACE and message.trace.stream_status is not None:
                # streams are read one at a time: requests from now on belong to this one
                COUNTER.current = message.trace.stream_status.stream_descriptor.name
            elif message.type == Type.STATE:
                yield from (_log(Level.INFO, line) for line in COUNTER.unreported())
        yield from (_log(Level.INFO, line) for line in COUNTER.unreported())
        if self._hub and (self._hub.not_found_movies or self._hub.not_found_people):
            yield _log(
                Level.WARN,
                f"Skipped {len(self._hub.not_found_movies)} movie(s) and {len(self._hub.not_found_people)} "
                "person(s) that TMDB answered 404 for: "
                f"movies {sorted(self._hub.not_found_movies)[:50]}, "
                f"people {sorted(self._hub.not_found_people)[:50]}.",
            )


def _check_failure(
    error: AirbyteTracedException, config: TmdbConfig, transport_error: requests.RequestException | None
) -> str:
    if error.failure_type == FailureType.config_error:
        return str(error.message)
    if transport_error is not None:
        return (
            f"Could not reach TMDB at {config.base_url} ({type(transport_error).__name__}). "
            "Check base_url and that the host is reachable."
        )
    return f"TMDB check failed: {error.message}"


def _log(level: Level, message: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=level, message=message))
