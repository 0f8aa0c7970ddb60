"""Gold tables derived from the TMDB emulator's catalogue, in the serving contract's schemas.

For tests and benchmarks of the serving layer before (or without) dbt's marts: the movies, credits,
people and reviews are the emulator's (realistic titles, genres, long-tailed popularity, shared
people, reviews with ratings). The tiers are dbt's own macros (dbt_project/macros/tiers.sql, rendered
by Jinja as dbt renders them and run by sqlglot's SQL engine), so they cannot disagree with the marts;
the other derived columns follow the marts' definitions in simplified form, and review sentiment
comes from the review's rating plus noise instead of the sentiment model.
"""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from statistics import fmean
from typing import Any

import jinja2
import pyarrow as pa
import sqlglot
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from sqlglot import exp
from sqlglot.executor import execute

from serving_api.sync.contract import GOLD_TABLES
from tmdb_pipeline.emulator.catalogue import PAGE_SIZE, Catalogue
from tmdb_pipeline.transform.runner import DBT_PROJECT

TOP_CAST = 10
TRENDING = 100
OBSERVED_AT = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
TIERS_SQL = DBT_PROJECT / "macros" / "tiers.sql"
# Gold's tier columns: the dbt macro of each and the columns staging calls it with
TIER_MACROS: dict[str, tuple[str, ...]] = {
    "popularity_tier": ("popularity",),
    "runtime_bucket": ("runtime_minutes",),
    "rating_tier": ("vote_average", "vote_count"),
}


def _parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _sentiment(rating: float | None, r: random.Random) -> tuple[float, str, float]:
    base = (rating - 5.5) / 4.5 if rating is not None else r.uniform(-0.8, 0.8)
    score = max(-1.0, min(1.0, base + r.gauss(0, 0.25)))
    label = "positive" if score > 0.25 else "negative" if score < -0.25 else "neutral"
    return round(score, 4), label, round(0.5 + abs(score) / 2, 4)


@cache
def tier_expressions() -> dict[str, str]:
    """Each tier column's SQL, as dbt renders its macro call in staging."""
    macros = jinja2.Environment().from_string(TIERS_SQL.read_text()).module
    return {column: str(getattr(macros, column)(*args)) for column, args in TIER_MACROS.items()}


def tier_labels() -> dict[str, set[str]]:
    """Every value each tier macro can give (its CASE's branches)."""
    labels = {}
    for column, sql in tier_expressions().items():
        case = sqlglot.parse_one(sql, dialect="spark")
        branches = [branch.args["true"] for branch in case.args["ifs"]] + [case.args["default"]]
        labels[column] = {branch.this for branch in branches if isinstance(branch, exp.Literal)}
    return labels


def dbt_tiers(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The tier columns of each row (with the macros' input columns), computed by dbt's macros."""
    if not rows:
        return []
    inputs = sorted({name for args in TIER_MACROS.values() for name in args})
    selected = ", ".join(f"{sql} as {column}" for column, sql in tier_expressions().items())
    result = execute(
        f"select {selected} from movies",
        dialect="spark",
        tables={"movies": [{name: row[name] for name in inputs} for row in rows]},
    )
    return [dict(zip(result.columns, values, strict=True)) for values in result.rows]


class SampleGold:
    """Builds the serving contract's Gold tables for movies 1..n of a catalogue."""

    def __init__(self, movies: int, seed: int = 42, today: date = date(2026, 1, 1), max_reviews: int = 40):
        self.catalogue = Catalogue(seed=seed, movies=movies, today=today)
        self.movie_ids = range(1, movies + 1)
        self.seed = seed
        self.max_reviews = max_reviews
        self.updated_at = datetime.combine(today, datetime.min.time(), UTC)

    def tables(self) -> dict[str, pa.Table]:
        reviews = [row for movie_id in self.movie_ids for row in self._reviews(movie_id)]
        by_movie: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for review in reviews:
            by_movie[review["movie_id"]].append(review)
        movies = [self._movie(movie_id, by_movie[movie_id]) for movie_id in self.movie_ids]
        for movie, tiers in zip(movies, dbt_tiers(movies), strict=True):
            movie.update(tiers)
        rows = {
            "movie_metrics": movies,
            "movie_reviews": reviews,
            "co_stars": co_star_rows(movies),
            "actor_director_pairs": actor_director_rows(movies),
            "person_filmography": self._people(movies),
            "trending_movies": self._trending(movies),
            "genre_year_trends": self._genre_years(movies),
        }
        return {name: pa.Table.from_pylist(rows[name], schema=GOLD_TABLES[name]) for name in GOLD_TABLES}

    def _reviews(self, movie_id: int) -> Iterable[dict[str, Any]]:
        count = min(self.catalogue.review_count(movie_id), self.max_reviews)
        for page in range(1, (count + PAGE_SIZE - 1) // PAGE_SIZE + 1):
            for review in self.catalogue.reviews(movie_id, page)["results"]:
                rating = review["author_details"]["rating"]
                r = random.Random(f"{self.seed}:{review['id']}")
                score, label, confidence = _sentiment(rating, r)
                yield {
                    "review_id": review["id"],
                    "movie_id": movie_id,
                    "author": review["author"],
                    "rating": None if rating is None else float(rating),
                    "content": review["content"],
                    "created_at": _parse_ts(review["created_at"]),
                    "updated_at": _parse_ts(review["updated_at"]),
                    "sentiment_score": score,
                    "sentiment_label": label,
                    "sentiment_confidence": confidence,
                }

    def _movie(self, movie_id: int, reviews: list[dict[str, Any]]) -> dict[str, Any]:
        details = self.catalogue.movie_details(movie_id)
        credits = self.catalogue.credits(movie_id)
        released = date.fromisoformat(details["release_date"]) if details["release_date"] else None
        budget, revenue = details["budget"], details["revenue"]
        profit = revenue - budget if budget and revenue else None
        scores = [review["sentiment_score"] for review in reviews]
        mean = round(fmean(scores), 4) if scores else None
        label = (
            None if mean is None else "positive" if mean > 0.2 else "negative" if mean < -0.2 else "neutral"
        )
        average, votes = details["vote_average"], details["vote_count"]
        return {
            "movie_id": movie_id,
            "title": details["title"],
            "original_title": details["original_title"],
            "original_language": details["original_language"],
            "overview": details["overview"] or None,
            "tagline": details["tagline"] or None,
            "status": details["status"],
            "release_date": released,
            "release_year": released.year if released else None,
            "release_decade": released.year // 10 * 10 if released else None,
            "runtime_minutes": details["runtime"] or None,
            "runtime_bucket": None,  # the tiers: dbt's macros, over every movie at once (tables())
            "budget": budget,
            "revenue": revenue,
            "profit": profit,
            "roi": round(profit / budget, 4) if profit is not None else None,
            "popularity": details["popularity"],
            "popularity_tier": None,
            "vote_average": average,
            "vote_count": votes,
            "rating_tier": None,
            "genres": [genre["name"] for genre in details["genres"]],
            "poster_path": details["poster_path"],
            "imdb_id": details["imdb_id"],
            "is_adult": details["adult"],
            "review_count": len(reviews),
            "sentiment_mean_score": mean,
            "sentiment_share_positive": (
                round(sum(r["sentiment_label"] == "positive" for r in reviews) / len(reviews), 4)
                if reviews
                else None
            ),
            "sentiment_share_negative": (
                round(sum(r["sentiment_label"] == "negative" for r in reviews) / len(reviews), 4)
                if reviews
                else None
            ),
            "sentiment_label": label,
            "rating_sentiment_gap": round((average / 5 - 1) - mean, 4)
            if mean is not None and votes
            else None,
            "top_cast": [
                {
                    "person_id": c["id"],
                    "name": c["name"],
                    "character": c["character"],
                    "cast_order": c["order"],
                }
                for c in credits["cast"][:TOP_CAST]
            ],
            "directors": [
                {"person_id": c["id"], "name": c["name"]} for c in credits["crew"] if c["job"] == "Director"
            ],
            "updated_at": self.updated_at,
            # kept for the people table, dropped by the contract's schema
            "_credits": credits,
        }

    def _people(self, movies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        people: dict[int, dict[str, Any]] = {}
        credits_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for movie in movies:
            base = {"movie_id": movie["movie_id"], "title": movie["title"]}
            base |= {"release_year": movie["release_year"], "vote_average": movie["vote_average"]}
            credits = movie.pop("_credits")
            for kind, members in (("cast", credits["cast"]), ("crew", credits["crew"])):
                for member in members:
                    people.setdefault(member["id"], member)
                    role = member["character"] if kind == "cast" else member["job"]
                    credits_of[member["id"]].append({**base, "credit_type": kind, "role": role})
        rows = []
        for person_id, member in people.items():
            filmography = credits_of[person_id]
            birthday = self.catalogue.person(person_id)["birthday"]
            rows.append(
                {
                    "person_id": person_id,
                    "name": member["name"],
                    "known_for_department": member["known_for_department"],
                    "popularity": member["popularity"],
                    "profile_path": member["profile_path"],
                    "birthday": date.fromisoformat(birthday) if birthday else None,
                    "movie_count": len({credit["movie_id"] for credit in filmography}),
                    "filmography": filmography,
                }
            )
        return rows

    def _trending(self, movies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        r = random.Random(self.seed)
        rows = []
        for movie in sorted(movies, key=lambda m: -m["popularity"])[:TRENDING]:
            previous = round(movie["popularity"] * r.uniform(0.6, 1.4), 3)
            change = round(movie["popularity"] - previous, 3)
            rows.append(
                {
                    "movie_id": movie["movie_id"],
                    "title": movie["title"],
                    "popularity": movie["popularity"],
                    "previous_popularity": previous,
                    "popularity_change": change,
                    "popularity_change_pct": round(change / previous * 100, 2) if previous else None,
                    "observed_at": OBSERVED_AT,
                }
            )
        rows.sort(key=lambda row: (-row["popularity_change"], row["movie_id"]))
        for rank, row in enumerate(rows, start=1):
            row["trend_rank"] = rank
        return rows

    @staticmethod
    def _genre_years(movies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        groups: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for movie in movies:
            if movie["release_year"] is None:
                continue
            for genre in movie["genres"]:
                groups[(genre, movie["release_year"])].append(movie)
        rows = []
        for (genre, year), group in sorted(groups.items()):
            sentiments = [m["sentiment_mean_score"] for m in group if m["sentiment_mean_score"] is not None]
            rows.append(
                {
                    "genre": genre,
                    "release_year": year,
                    "movie_count": len(group),
                    "avg_vote_average": round(fmean(m["vote_average"] for m in group), 4),
                    "avg_popularity": round(fmean(m["popularity"] for m in group), 4),
                    "total_revenue": sum(m["revenue"] for m in group),
                    "avg_sentiment_score": round(fmean(sentiments), 4) if sentiments else None,
                }
            )
        return rows


def co_star_rows(movies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As dbt's co_stars: actors billed in the top ten of the same movie, both directions, counted
    over distinct movies."""
    together: dict[tuple[int, int], set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for movie in movies:
        top = [c for c in movie["_credits"]["cast"] if c["order"] < TOP_CAST]
        for a in top:
            names.setdefault(a["id"], a["name"])
            for b in top:
                if a["id"] != b["id"]:
                    together[(a["id"], b["id"])].add(movie["movie_id"])
    return [
        {"person_id": a, "co_star_id": b, "co_star_name": names[b], "movies_together": len(shared)}
        for (a, b), shared in sorted(together.items())
    ]


def actor_director_rows(movies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As dbt's actor_director_pairs: every cast member with every director of the same movie
    (not themselves), counted over distinct movies."""
    together: dict[tuple[int, int], set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for movie in movies:
        credits = movie["_credits"]
        directors = [c for c in credits["crew"] if c["job"] == "Director"]
        for actor in credits["cast"]:
            names.setdefault(actor["id"], actor["name"])
            for director in directors:
                names.setdefault(director["id"], director["name"])
                if actor["id"] != director["id"]:
                    together[(actor["id"], director["id"])].add(movie["movie_id"])
    return [
        {
            "actor_id": actor,
            "actor_name": names[actor],
            "director_id": director,
            "director_name": names[director],
            "movies_together": len(shared),
        }
        for (actor, director), shared in sorted(together.items())
    ]


def write_gold(catalog: Catalog, namespace: str, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Create or overwrite each table (one new snapshot each); returns the new snapshot ids."""
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(namespace)
    snapshots = {}
    for name, data in tables.items():
        identifier = f"{namespace}.{name}"
        try:
            table = catalog.load_table(identifier)
            table.overwrite(data)
        except NoSuchTableError:
            table = catalog.create_table(identifier, schema=GOLD_TABLES[name])
            table.append(data)
        snapshot = catalog.load_table(identifier).current_snapshot()
        snapshots[name] = snapshot.snapshot_id if snapshot else 0
    return snapshots
