"""The discover seed read one release year at a time, against the emulator: more movies than one list.

TMDB (and the emulator) serve at most 500 pages of 20 per query, so an unsliced list stops at 10,000
movies. The same cap at a small scale: with max_pages 5 one list gives 100 movies, and three year
slices of 5 pages give every movie of those years (each of them has fewer than 100 here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

pytestmark = pytest.mark.integration

CATALOGUE = 5_000  # about 80-100 movies per recent release year: each year fills more than one page
TODAY = date(2025, 6, 15)  # a fixed 'today' fixes the catalogue's dates, so the years below are full
YEARS = (2023, 2022, 2021)
MAX_PAGES = 5
PAGE_SIZE = 20


@pytest.fixture(scope="module")
def catalogue_emulator() -> Iterator[RunningEmulator]:
    with running_emulator(movies=CATALOGUE, seed=7, today=TODAY) as emu:
        yield emu


def movie_ids_and_years(connector, emu: RunningEmulator, **options) -> list[tuple[int, int]]:
    config = connector.config_for(
        emu, seed_lists=["discover"], max_pages=MAX_PAGES, max_movies=CATALOGUE, **options
    )
    output = connector.read_in_process(config, connector.catalog_for(("movies",)))
    assert output.returncode == 0, [m for m in output.of_type("TRACE")][:3]
    return [(r["id"], int(r["release_date"][:4] or 0)) for r in output.records("movies")]


def movies_released_in(emu: RunningEmulator, year: int) -> int:
    """The emulator's own count of the year's movies (discover's total_results)."""
    answer = httpx.get(
        f"{emu.base_url}/discover/movie",
        params={"api_key": emu.api_key, "primary_release_year": year},
        timeout=30,
    )
    answer.raise_for_status()
    return int(answer.json()["total_results"])


def test_given_discover_sliced_by_year_when_movies_read_then_more_distinct_movies_than_one_list_gives(
    connector, catalogue_emulator
):
    unsliced = movie_ids_and_years(connector, catalogue_emulator)
    sliced = movie_ids_and_years(
        connector,
        catalogue_emulator,
        discover_slice_by_year=True,
        discover_year_from=min(YEARS),
        discover_year_to=max(YEARS),
    )

    # one list is cut at max_pages: the whole catalogue matches an unfiltered discover
    assert len(unsliced) == MAX_PAGES * PAGE_SIZE
    ids = [movie_id for movie_id, _ in sliced]
    assert len(ids) == len(set(ids)), "each movie once"
    assert len(ids) > len(unsliced)
    # each slice holds its year's movies, newest year first, and (all under the page cap) all of them
    years = [year for _, year in sliced]
    assert years == sorted(years, reverse=True)
    per_year = Counter(years)
    assert set(per_year) == set(YEARS)
    for year in YEARS:
        expected = movies_released_in(catalogue_emulator, year)
        assert PAGE_SIZE < expected < MAX_PAGES * PAGE_SIZE, "the catalogue no longer fits the test"
        assert per_year[year] == expected, year


def test_given_discover_sliced_by_year_when_max_movies_is_reached_then_the_walk_stops_in_the_newest_year(
    connector, catalogue_emulator
):
    catalogue_emulator.reset_stats()

    config = connector.config_for(
        catalogue_emulator,
        seed_lists=["discover"],
        max_pages=MAX_PAGES,
        max_movies=30,
        discover_slice_by_year=True,
        discover_year_from=1990,
        discover_year_to=max(YEARS),
    )
    output = connector.read_in_process(config, connector.catalog_for(("movies",)))

    records = output.records("movies")
    assert len(records) == 30
    assert {r["release_date"][:4] for r in records} == {str(max(YEARS))}
    # two pages of the newest year, and no older year asked for
    assert connector.calls(catalogue_emulator.stats()["by_path"]).get("/3/discover/movie") == 2
