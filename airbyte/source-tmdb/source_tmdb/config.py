"""The connector's configuration, read once from the Airbyte config mapping.

The spec (spec.json) validates types and ranges before this runs; this module applies the defaults,
normalises the base URL and reads the credential from the `credentials` oneOf. Configs saved before
the oneOf (flat `api_key` / `read_access_token`) are rewritten by config_migrations.py on the way in;
they are also read here, so an in-process caller that skips the entrypoint gets the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tmdb.redaction import protect

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
SEED_LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending_day", "trending_week", "discover")
MISSING_CREDENTIALS = (
    "No TMDB credential configured: set credentials to an API key (TMDB_API_KEY) or an API read "
    "access token (TMDB_READ_ACCESS_TOKEN) in the connector configuration."
)
PEOPLE_SCOPES = ("principal", "all")
DEFAULT_PRINCIPAL_CREW_JOBS = (
    "Director",
    "Screenplay",
    "Writer",
    "Original Music Composer",
    "Director of Photography",
)


@dataclass(frozen=True)
class TmdbConfig:
    api_key: str | None = field(default=None, repr=False)
    read_access_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    language: str = "en-US"
    region: str | None = None
    seed_lists: tuple[str, ...] = ("popular",)
    discover_filters: Mapping[str, Any] = field(default_factory=dict)
    max_pages: int = 5
    max_movies: int = 500
    start_date: date | None = None
    requests_per_second: int = 40
    request_timeout_s: float = 30.0
    people_scope: str = "principal"
    principal_cast_limit: int = 10
    principal_crew_jobs: frozenset[str] = frozenset(DEFAULT_PRINCIPAL_CREW_JOBS)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> TmdbConfig:
        start = config.get("start_date")
        api_key, read_access_token = credentials_of(config)
        parsed = cls(
            api_key=api_key,
            read_access_token=read_access_token,
            base_url=str(config.get("base_url") or DEFAULT_BASE_URL).rstrip("/"),
            language=config.get("language") or "en-US",
            region=config.get("region") or None,
            seed_lists=tuple(config.get("seed_lists") or ("popular",)),
            discover_filters=dict(config.get("discover_filters") or {}),
            max_pages=min(int(config.get("max_pages", 5)), 500),
            max_movies=int(config.get("max_movies", 500)),
            start_date=date.fromisoformat(start) if start else None,
            requests_per_second=max(1, int(config.get("requests_per_second", 40))),
            request_timeout_s=float(config.get("request_timeout_s", 30.0)),
            people_scope=str(config.get("people_scope") or "principal"),
            principal_cast_limit=max(0, int(config.get("principal_cast_limit", 10))),
            principal_crew_jobs=frozenset(config.get("principal_crew_jobs", DEFAULT_PRINCIPAL_CREW_JOBS)),
        )
        if parsed.people_scope not in PEOPLE_SCOPES:
            raise AirbyteTracedException(
                message=f"Unknown people_scope {parsed.people_scope!r}; choose from {list(PEOPLE_SCOPES)}.",
                failure_type=FailureType.config_error,
            )
        unknown = [name for name in parsed.seed_lists if name not in SEED_LISTS]
        if unknown:
            raise AirbyteTracedException(
                message=f"Unknown seed list(s) {unknown}; choose from {list(SEED_LISTS)}.",
                failure_type=FailureType.config_error,
            )
        # Registered here as well as by the entrypoint, so in-process callers get the same redaction.
        protect(parsed.api_key, parsed.read_access_token)
        return parsed

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key or self.read_access_token)

    @property
    def url_base(self) -> str:
        """Base URL with a trailing slash, as urljoin needs it to keep the /3 prefix."""
        return f"{self.base_url}/"

    def is_principal(self, credit_type: str, credit: Mapping[str, Any]) -> bool:
        """Whether people_scope principal fetches this credit's person: top-billed cast, key crew jobs."""
        if credit_type == "cast":
            order = credit.get("order")
            return order is not None and int(order) < self.principal_cast_limit
        return credit.get("job") in self.principal_crew_jobs

    def changes_start(self, today: date | None = None) -> date:
        today = today or datetime.now(UTC).date()
        return self.start_date or today - timedelta(days=13)


def credentials_of(config: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(api_key, read_access_token) from the `credentials` oneOf, or from a flat pre-oneOf config."""
    credentials = config.get("credentials")
    if isinstance(credentials, Mapping):
        if credentials.get("auth_type") == "read_access_token":
            return None, credentials.get("read_access_token") or None
        return credentials.get("api_key") or None, credentials.get("read_access_token") or None
    return config.get("api_key") or None, config.get("read_access_token") or None
