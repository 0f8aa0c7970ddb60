"""Shape check against real TMDB: for each captured response in ../shared/data/tmdb/api-samples/,
ask the emulator the same endpoint and compare keys and JSON value types, recursively.

Lists are compared item by item against the union of the sample's items. Numbers: a float in
the sample accepts an int (JSON does not tell 8.0 from 8); an int accepts a float only for the
fields TMDB sends as decimals (vote_average, popularity, rating). Null: accepted where TMDB
documents the field as nullable; where the sample has null, the emulator may send null or the
type TMDB uses there. Where the sample has items or values, the emulator must have some too, so a
shape is never "checked" against an empty list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "tmdb" / "api-samples"

# Fields TMDB sends as null when unknown, and the type they have otherwise.
NULLABLE: dict[str, str] = {
    "backdrop_path": "str",
    "poster_path": "str",
    "profile_path": "str",
    "logo_path": "str",
    "avatar_path": "str",
    "rating": "number",
    "belongs_to_collection": "dict",
    "imdb_id": "str",
    "wikidata_id": "str",
    "facebook_id": "str",
    "instagram_id": "str",
    "twitter_id": "str",
    "birthday": "str",
    "deathday": "str",
    "homepage": "str",
    "place_of_birth": "str",
}
DECIMALS = {"vote_average", "popularity", "rating"}
# TMDB's 404 body gained `"success": false` after these samples were captured (its error schema lists it).
EXTRA_KEYS = {"resource-not-found.json": {"success"}}


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


@dataclass
class Shape:
    """What a sample shows at one place: the types seen, dict keys (all, and in every item), list items."""

    types: set[str] = field(default_factory=set)
    keys: dict[str, Shape] = field(default_factory=dict)
    required: set[str] | None = None
    items: Shape | None = None

    def add(self, value: Any) -> None:
        self.types.add(_type(value))
        if isinstance(value, dict):
            self.required = set(value) if self.required is None else self.required & set(value)
            for key, item in value.items():
                self.keys.setdefault(key, Shape()).add(item)
        elif isinstance(value, list):
            self.items = self.items or Shape()
            for item in value:
                self.items.add(item)


def shape_of(sample: Any) -> Shape:
    shape = Shape()
    shape.add(sample)
    return shape


def filled(value: Any, where: str = "", out: set[str] | None = None) -> set[str]:
    """Paths (list indices folded to []) where a value holds a non-empty string or list somewhere."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            filled(item, f"{where}.{key}", out)
    elif isinstance(value, list):
        if value:
            out.add(where)
        for item in value:
            filled(item, f"{where}[]", out)
    elif isinstance(value, str) and value:
        out.add(where)
    return out


def compare(shape: Shape, value: Any, where: str, key: str = "", extra: set[str] = frozenset()) -> list[str]:
    """Problems of `value` against the sample's shape (types and keys); `[]` when it fits."""
    got = _type(value)
    allowed = set(shape.types)
    if "float" in allowed:
        allowed.add("int")
    if "int" in allowed and key in DECIMALS:
        allowed.add("float")
    if key in NULLABLE:
        allowed.add("null")
    if allowed == {"null"}:
        allowed |= {NULLABLE.get(key, "null")} | (
            {"int", "float"} if NULLABLE.get(key) == "number" else set()
        )
    if got not in allowed:
        return [f"{where}: {got} where the sample has {sorted(shape.types)}"]
    problems: list[str] = []
    if got == "dict" and "dict" in shape.types:
        missing = (shape.required or set()) - set(value)
        unknown = set(value) - set(shape.keys) - extra
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
        if unknown:
            problems.append(f"{where}: keys TMDB does not send {sorted(unknown)}")
        for name, item in value.items():
            if name in shape.keys:
                problems += compare(shape.keys[name], item, f"{where}.{name}", name)
    if got == "list" and shape.items is not None:
        for i, item in enumerate(value):
            problems += compare(shape.items, item, f"{where}[{i}]", key)
    return problems


def problems_of(sample: Any, answer: Any, name: str) -> list[str]:
    """Type and key problems, plus every place the sample fills that the answer leaves empty."""
    problems = compare(shape_of(sample), answer, name, extra=EXTRA_KEYS.get(f"{name}.json", set()))
    empty = sorted(filled(sample) - filled(answer))
    return problems + [f"{name}{path}: always empty where the sample has content" for path in empty]


@dataclass
class Probe:
    """How to ask the emulator for a sample's endpoint; ids are tried until one is fully populated."""

    path: str  # may hold {id}
    params: dict[str, str] = field(default_factory=dict)
    status: int = 200
    ids: str = "movies"  # which candidates fill {id}: "movies" or "people"
    bad_key: bool = False


PROBES: dict[str, Probe] = {
    "movie-details.json": Probe("/movie/{id}"),
    "movie-credits.json": Probe("/movie/{id}/credits"),
    "movie-reviews.json": Probe("/movie/{id}/reviews"),
    "movie-keywords.json": Probe("/movie/{id}/keywords"),
    "movie-release-dates.json": Probe("/movie/{id}/release_dates"),
    "movie-external-ids.json": Probe("/movie/{id}/external_ids"),
    "movie-recommendations.json": Probe("/movie/{id}/recommendations"),
    "movie-similar.json": Probe("/movie/{id}/similar"),
    "movie-popular.json": Probe("/movie/popular"),
    "movie-top-rated.json": Probe("/movie/top_rated"),
    "movie-now-playing.json": Probe("/movie/now_playing"),
    "movie-upcoming.json": Probe("/movie/upcoming"),
    "movie-all-changes.json": Probe("/movie/changes"),
    "people-all-changes.json": Probe("/person/changes"),
    "person-details.json": Probe("/person/{id}", ids="people"),
    "search-movie.json": Probe("/search/movie", params={"query": "{title}"}),
    "invalid-api-key.json": Probe("/movie/1", status=401, bad_key=True),
    "resource-not-found.json": Probe("/movie/99999999", status=404),
    "validation-error.json": Probe("/search/movie", status=422),
}


def _sample_files() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p.name for p in SAMPLES.glob("*.json"))


@pytest.fixture(scope="module")
def candidates(emu: RunningEmulator, api: httpx.Client) -> dict[str, list[int]]:
    """The most popular movies and their cast, whose records are the most fully populated."""
    emu.mutate(120)  # so that the changes feeds have ids to show
    movies = [m["id"] for m in api.get("/movie/popular").json()["results"]]
    people = [c["id"] for c in api.get(f"/movie/{movies[0]}/credits").json()["cast"]]
    return {"movies": movies, "people": people}


def _answers(
    api: httpx.Client, emu: RunningEmulator, probe: Probe, candidates: dict[str, list[int]]
) -> Iterator[httpx.Response]:
    params = dict(probe.params)
    if probe.bad_key:
        params["api_key"] = "not-the-key"
    if params.get("query") == "{title}":
        title = api.get(f"/movie/{candidates['movies'][0]}").json()["title"]
        params["query"] = max(title.split(), key=len)
    for candidate in candidates[probe.ids] if "{id}" in probe.path else [None]:
        yield api.get(probe.path.format(id=candidate), params=params)


@pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"no TMDB samples at {SAMPLES} (../shared is not checked out)"
)
@pytest.mark.parametrize("name", _sample_files() or ["(none)"])
def test_given_a_real_tmdb_sample_when_the_emulator_answers_the_same_endpoint_then_keys_and_types_match(
    name: str, emu: RunningEmulator, api: httpx.Client, candidates: dict[str, list[int]]
) -> None:
    assert name in PROBES, f"new sample {name}: add how to ask the emulator for it to PROBES"
    probe = PROBES[name]
    sample = json.loads((SAMPLES / name).read_text())
    best: list[str] | None = None
    for response in _answers(api, emu, probe, candidates):
        assert response.status_code == probe.status, response.text[:300]
        problems = problems_of(sample, response.json(), name.removesuffix(".json"))
        if best is None or len(problems) < len(best):
            best = problems
        if not problems:
            break
    assert best == [], "\n".join(best or [])


def test_given_the_comparison_when_shapes_differ_then_it_reports_them() -> None:
    """The checker itself must catch a wrong type, a missing or extra key, a null and emptiness."""
    sample = {"id": 1, "title": "x", "items": [{"a": 1.5}], "poster_path": "/p.jpg", "vote_average": 0}
    fine = {"id": 2, "title": "y", "items": [{"a": 2}], "poster_path": "/q.jpg", "vote_average": 7.1}
    assert problems_of(sample, fine, "t") == []
    assert problems_of(sample, {**fine, "poster_path": None}, "t") == [
        "t.poster_path: always empty where the sample has content"
    ]
    assert problems_of(sample, {**fine, "id": "2", "items": [], "title": ""}, "t") == [
        "t.id: str where the sample has ['int']",
        "t.items: always empty where the sample has content",
        "t.title: always empty where the sample has content",
    ]
    assert problems_of(
        sample, {"id": 2, "items": [{"a": None, "b": 1}], "poster_path": 3, "vote_average": 1}, "t"
    ) == [
        "t: missing keys ['title']",
        "t.items[0]: keys TMDB does not send ['b']",
        "t.items[0].a: null where the sample has ['float']",
        "t.poster_path: int where the sample has ['str']",
        "t.poster_path: always empty where the sample has content",
        "t.title: always empty where the sample has content",
    ]
