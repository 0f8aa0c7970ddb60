"""The live routes on the running API: Gold's figures, saying so, while the speed layer is silent;
the speed layer's figures (the documents `tmdb-pipeline live` writes) while its heartbeat is recent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration
LIVE = ("live_movie_reviews", "live_movie_popularity", "live_genre_activity", "live_status")


@pytest.fixture
def speed_layer(served) -> Iterator[object]:
    """The live_* collections of the served database, emptied after the test."""
    yield served.db
    for name in LIVE:
        served.db.drop_collection(name)


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def bucket(key: str, start: datetime, **fields: object) -> dict[str, object]:
    return {
        "_id": f"{key}|{start:%Y-%m-%dT%H:%M}Z",
        "window_start": start,
        "window_end": start + timedelta(hours=1),
        **fields,
    }


def popularity(
    movie_id: int, start: datetime, first: tuple[datetime, float], last: tuple[datetime, float]
) -> dict:
    return bucket(
        str(movie_id),
        start,
        movie_id=movie_id,
        title=f"Live {movie_id}",
        first_seen=first[0],
        first_popularity=first[1],
        last_seen=last[0],
        last_popularity=last[1],
        last_vote_average=7.5,
        last_vote_count=100,
        observations=2,
    )


def test_given_no_speed_layer_when_asking_live_routes_then_gold_answers_and_says_so(
    http, served, speed_layer
):
    card = served.db["movie_cards"].find_one({}, sort=[("_id", 1)])
    genre = served.db["genre_stats"].find_one({})["genre"]

    movie = http.get(f"/movies/{card['_id']}/live").json()
    trending = http.get("/live/trending", params={"limit": 5}).json()
    activity = http.get("/genres/live", params={"genre": genre}).json()

    assert (movie["source"], movie["popularity_source"]) == ("gold", "gold")
    assert movie["popularity"] == card["popularity"] and movie["popularity_change_24h"] is None
    assert movie["as_of"] is not None
    gold_trending = list(served.db["trending"].find({}, sort=[("trend_rank", 1)]).limit(5))
    assert trending["source"] == "gold" and trending["change_over"] == "previous extraction"
    assert [item["id"] for item in trending["items"]] == [row["_id"] for row in gold_trending]
    rows = list(served.db["genre_stats"].find({"genre": genre}))
    assert activity["source"] == "gold" and activity["updates_1h"] is None
    assert activity["movie_count"] == sum(row["movie_count"] for row in rows)


def test_given_a_running_speed_layer_when_asking_live_routes_then_its_figures_are_served(
    http, served, speed_layer
):
    now = datetime.now(UTC)
    card = served.db["movie_cards"].find_one({}, sort=[("_id", 1)])
    movie_id, other = card["_id"], card["_id"] + 1_000_000  # one Gold knows, one only the stream saw
    this_hour, last_hour = hour(now), hour(now) - timedelta(hours=1)
    speed_layer["live_movie_reviews"].insert_many(
        [
            bucket(str(movie_id), this_hour, movie_id=movie_id, reviews=3),
            bucket(str(movie_id), this_hour - timedelta(hours=30), movie_id=movie_id, reviews=2),  # 7 d only
            bucket(str(movie_id), this_hour - timedelta(days=9), movie_id=movie_id, reviews=5),  # neither
        ]
    )
    speed_layer["live_movie_popularity"].insert_many(
        [
            popularity(
                movie_id,
                last_hour,
                (last_hour + timedelta(minutes=1), 10.0),
                (last_hour + timedelta(minutes=2), 12.0),
            ),
            popularity(movie_id, this_hour, (this_hour, 12.0), (this_hour + timedelta(seconds=1), 25.0)),
            popularity(other, this_hour, (this_hour, 40.0), (this_hour + timedelta(seconds=1), 44.0)),
        ]
    )
    speed_layer["live_genre_activity"].insert_many(
        [
            bucket("Drama", this_hour, genre="Drama", movies_updated=4, observations=6),
            bucket("Drama", this_hour - timedelta(hours=5), genre="Drama", movies_updated=7, observations=7),
        ]
    )
    speed_layer["live_status"].insert_one({"_id": "job", "heartbeat_at": now})

    movie = http.get(f"/movies/{movie_id}/live").json()
    unknown_to_gold = http.get(f"/movies/{other}/live").json()
    trending = http.get("/live/trending").json()
    drama = http.get("/genres/live", params={"genre": "Drama"}).json()

    assert (movie["source"], movie["popularity_source"]) == ("live", "live")
    assert (movie["reviews_24h"], movie["reviews_7d"]) == (3, 5)
    assert (movie["popularity"], movie["popularity_change_24h"], movie["popularity_change_pct_24h"]) == (
        25.0,
        15.0,
        150.0,
    )
    assert unknown_to_gold["popularity"] == 44.0 and unknown_to_gold["title"] == f"Live {other}"
    assert trending["source"] == "live" and trending["change_over"] == "last 24 h"
    assert [(i["id"], i["popularity_change"]) for i in trending["items"]] == [(movie_id, 15.0), (other, 4.0)]
    assert (drama["source"], drama["updates_1h"], drama["updates_24h"]) == ("live", 4, 11)

    # the job stops: its heartbeat ages past API_LIVE_MAX_AGE_S (60 s) and Gold answers again
    speed_layer["live_status"].update_one(
        {"_id": "job"}, {"$set": {"heartbeat_at": now - timedelta(minutes=5)}}
    )
    assert http.get(f"/movies/{movie_id}/live").json()["source"] == "gold"
    assert http.get(f"/movies/{other}/live").status_code == 404


def test_given_bad_or_unknown_ids_when_asking_live_routes_then_400_and_404(http, speed_layer):
    assert http.get("/movies/0/live").status_code == 400
    assert http.get("/movies/987654321/live").status_code == 404
    assert http.get("/genres/live", params={"genre": "No Such Genre"}).status_code == 404
    assert http.get("/genres/live", params={"genre": "$ne"}).status_code == 400
    assert http.get("/live/trending", params={"limit": 0}).status_code == 400
