"""A chainable config for the mock-server tests."""

from __future__ import annotations

from typing import Any

API_KEY = "unit-test-key-5f1c2e"
BASE_URL = "https://api.themoviedb.org/3"


class ConfigBuilder:
    def __init__(self) -> None:
        self._config: dict[str, Any] = {
            "credentials": {"auth_type": "api_key", "api_key": API_KEY},
            "base_url": BASE_URL,
            "language": "en-US",
            "seed_lists": ["popular"],
            "max_pages": 1,
            "max_movies": 100,
            # High enough that the budget never sleeps in unit tests.
            "requests_per_second": 1000,
        }

    def with_api_key(self, api_key: str) -> ConfigBuilder:
        self._config["credentials"] = {"auth_type": "api_key", "api_key": api_key}
        return self

    def with_read_access_token(self, token: str) -> ConfigBuilder:
        self._config["credentials"] = {"auth_type": "read_access_token", "read_access_token": token}
        return self

    def with_flat_credentials(self, **credentials: str) -> ConfigBuilder:
        """A 0.1.x config: api_key / read_access_token at the top level, no credentials object."""
        self._config.pop("credentials", None)
        self._config.update(credentials)
        return self

    def without_credentials(self) -> ConfigBuilder:
        self._config.pop("credentials", None)
        return self

    def with_people_scope(self, scope: str, **limits: object) -> ConfigBuilder:
        self._config["people_scope"] = scope
        self._config.update(limits)
        return self

    def with_seed_lists(self, *names: str) -> ConfigBuilder:
        self._config["seed_lists"] = list(names)
        return self

    def with_region(self, region: str) -> ConfigBuilder:
        self._config["region"] = region
        return self

    def with_discover_filters(self, **filters: Any) -> ConfigBuilder:
        self._config["discover_filters"] = filters
        return self

    def with_discover_years(self, year_from: int, year_to: int) -> ConfigBuilder:
        """The discover seed read one primary_release_year at a time, year_to first."""
        self._config.update(
            discover_slice_by_year=True, discover_year_from=year_from, discover_year_to=year_to
        )
        return self

    def with_max_pages(self, pages: int) -> ConfigBuilder:
        self._config["max_pages"] = pages
        return self

    def with_max_movies(self, movies: int) -> ConfigBuilder:
        self._config["max_movies"] = movies
        return self

    def with_start_date(self, day: str) -> ConfigBuilder:
        self._config["start_date"] = day
        return self

    def build(self) -> dict[str, Any]:
        return dict(self._config)
