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
# Years a discover slice may name: TMDB's oldest films are from the 1870s, and it lists films
# announced a few years ahead.
DISCOVER_YEAR_BOUNDS = (1800, 2100)
DEFAULT_DISCOVER_YEAR_FROM = 1900
DISCOVER_YEARS_AHEAD = 2  # default last year: the current (UTC) year plus this, for upcoming films
# Discover parameters that pick a year: the year slices set it, so a filter may not set it too.
YEAR_PARAMETERS = ("primary_release_year", "year")
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
    discover_slice_by_year: bool = False
    discover_year_from: int = DEFAULT_DISCOVER_YEAR_FROM
    discover_year_to: int = field(default_factory=lambda: default_discover_year_to())
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
            discover_slice_by_year=bool(config.get("discover_slice_by_year", False)),
            discover_year_from=_int_or(config.get("discover_year_from"), DEFAULT_DISCOVER_YEAR_FROM),
            discover_year_to=_int_or(config.get("discover_year_to"), default_discover_year_to()),
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
        parsed._check_discover_years()
        # Registered here as well as by the entrypoint, so in-process callers get the same redaction.
        protect(parsed.api_key, parsed.read_access_token)
        return parsed

    def _check_discover_years(self) -> None:
        """With discover_slice_by_year on, the year range and the seed lists must make sense (the
        years are ignored, and not checked, when it is off)."""
        if not self.discover_slice_by_year:
            return
        low, high = DISCOVER_YEAR_BOUNDS
        problem = None
        if not (low <= self.discover_year_from <= high and low <= self.discover_year_to <= high):
            problem = (
                f"discover_year_from ({self.discover_year_from}) and discover_year_to "
                f"({self.discover_year_to}) must be years between {low} and {high}."
            )
        elif self.discover_year_from > self.discover_year_to:
            problem = (
                f"discover_year_from ({self.discover_year_from}) is after discover_year_to "
                f"({self.discover_year_to}); set from <= to."
            )
        elif "discover" not in self.seed_lists:
            problem = "discover_slice_by_year slices the discover seed: add 'discover' to seed_lists."
        elif clash := sorted(set(YEAR_PARAMETERS) & set(self.discover_filters)):
            problem = (
                f"discover_filters sets {clash}, which discover_slice_by_year sets for each slice; "
                "narrow the years with discover_year_from/discover_year_to instead."
            )
        if problem:
            raise AirbyteTracedException(message=problem, failure_type=FailureType.config_error)

    @property
    def discover_years(self) -> tuple[int, ...]:
        """The `primary_release_year` of each discover slice, newest first; () when not slicing."""
        if not self.discover_slice_by_year:
            return ()
        return tuple(range(self.discover_year_to, self.discover_year_from - 1, -1))

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


def default_discover_year_to() -> int:
    return datetime.now(UTC).year + DISCOVER_YEARS_AHEAD


def _int_or(value: Any, default: int) -> int:
    return default if value is None else int(value)


def credentials_of(config: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(api_key, read_access_token) from the `credentials` oneOf, or from a flat pre-oneOf config."""
    credentials = config.get("credentials")
    if isinstance(credentials, Mapping):
        if credentials.get("auth_type") == "read_access_token":
            return None, credentials.get("read_access_token") or None
        return credentials.get("api_key") or None, credentials.get("read_access_token") or None
    return config.get("api_key") or None, config.get("read_access_token") or None
