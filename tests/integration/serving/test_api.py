"""Every route over real HTTP (uvicorn started by `tmdb-pipeline api`) against the synced FerretDB.

Expected answers are computed here from the same Gold rows the sync read, never written by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from serving_api.sync.documents import tokens

pytestmark = pytest.mark.integration


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def by_popularity(rows):
    return sorted(rows, key=lambda r: (-r["popularity"], r["movie_id"]))


def test_given_no_filter_then_movies_come_most_popular_first_with_page_totals(http, served):
    movies = served.gold.rows("movie_metrics")
    response = http.get("/movies", params={"page": 2, "page_size": 7})
    body = response.json()
    assert ids(response) == [r["movie_id"] for r in by_popularity(movies)][7:14]
    assert (body["page"], body["page_size"], body["total"]) == (2, 7, len(movies))
    assert body["total_pages"] == -(-len(movies) // 7)
    item = body["items"][0]
    row = next(r for r in movies if r["movie_id"] == item["id"])
    assert item["title"] == row["title"] and item["genres"] == row["genres"]
    assert item["release_date"] == (row["release_date"].isoformat() if row["release_date"] else None)
    assert item["sentiment_label"] == row["sentiment_label"]


@pytest.mark.parametrize(
    ("sort", "order", "field"),
    [
        ("rating", "desc", "vote_average"),
        ("popularity", "asc", "popularity"),
        ("release_date", "asc", "release_date"),
        ("sentiment", "desc", "sentiment_mean_score"),
    ],
)
def test_given_a_genre_and_a_sort_then_the_page_matches_gold(http, served, sort, order, field):
    genre = "Drama"
    rows = [r for r in served.gold.rows("movie_metrics") if genre in r["genres"] and r[field] is not None]
    sign = -1 if order == "desc" else 1
    # ties: _id ascending when descending, descending when ascending (the index walked backwards)
    expected = sorted(rows, key=lambda r: (r[field], -sign * r["movie_id"]), reverse=order == "desc")
    response = http.get("/movies", params={"genre": genre, "sort": sort, "order": order, "page_size": 15})
    assert ids(response) == [r["movie_id"] for r in expected[:15]]
    assert response.json()["total"] == len(rows)


def test_given_every_filter_then_only_matching_movies_are_counted(http, served):
    movies = served.gold.rows("movie_metrics")
    language = max(
        {r["original_language"] for r in movies},
        key=lambda lang: sum(r["original_language"] == lang for r in movies),
    )
    params = {"year_from": 1980, "year_to": 2020, "min_rating": 5.5, "min_votes": 3, "language": language}
    expected = [
        r
        for r in movies
        if r["release_year"] is not None
        and 1980 <= r["release_year"] <= 2020
        and r["vote_average"] >= 5.5
        and r["vote_count"] >= 3
        and r["original_language"] == language
    ]
    assert expected, "the sample should have matches"
    response = http.get("/movies", params={**params, "page_size": 100})
    assert ids(response) == [r["movie_id"] for r in by_popularity(expected)]

    for label in ("positive", "negative", "neutral"):
        count = sum(r["sentiment_label"] == label for r in movies)
        assert http.get("/movies", params={"sentiment": label}).json()["total"] == count


def test_given_operator_like_input_then_it_is_never_an_operator(http, served):
    # an unknown bracketed parameter is refused, naming the parameters that exist
    response = http.get("/movies", params={"genre[$ne]": "Drama"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "genre[$ne]"
    assert "genre" in response.json()["errors"][0]["message"]
    # JSON in a value is rejected by the parameter's pattern
    assert http.get("/movies", params={"genre": '{"$gt": ""}'}).status_code == 400
    # regex syntax in a search is literal text: no title has a word starting with ".*"
    response = http.get("/search", params={"q": "x.*"})
    assert response.status_code == 200 and response.json()["total"] == 0


def test_given_a_movie_id_then_the_detail_has_credits_and_sentiment(http, served):
    row = max(served.gold.rows("movie_metrics"), key=lambda r: (r["review_count"], len(r["top_cast"])))
    response = http.get(f"/movies/{row['movie_id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == row["movie_id"] and body["overview"] == row["overview"]
    assert body["budget"] == row["budget"] and body["profit"] == row["profit"]
    assert [c["person_id"] for c in body["top_cast"]] == [
        c["person_id"] for c in sorted(row["top_cast"], key=lambda c: c["cast_order"])
    ]
    assert {d["person_id"] for d in body["directors"]} == {d["person_id"] for d in row["directors"]}
    assert body["sentiment"] == {
        "review_count": row["review_count"],
        "mean_score": row["sentiment_mean_score"],
        "share_positive": row["sentiment_share_positive"],
        "share_negative": row["sentiment_share_negative"],
        "label": row["sentiment_label"],
        "rating_gap": row["rating_sentiment_gap"],
    }
    missing = http.get("/movies/987654321")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No movie with id 987654321"


def test_given_a_movie_then_its_reviews_come_newest_first_with_sentiment(http, served):
    reviews = served.gold.rows("movie_reviews")
    movie_id = max({r["movie_id"] for r in reviews}, key=lambda m: sum(r["movie_id"] == m for r in reviews))
    mine = sorted((r for r in reviews if r["movie_id"] == movie_id), key=lambda r: r["review_id"])
    mine.sort(key=lambda r: r["created_at"], reverse=True)
    response = http.get(f"/movies/{movie_id}/reviews", params={"page_size": 100})
    assert [item["id"] for item in response.json()["items"]] == [r["review_id"] for r in mine]
    first = response.json()["items"][0]
    assert first["sentiment"] == {
        "score": mine[0]["sentiment_score"],
        "label": mine[0]["sentiment_label"],
        "confidence": mine[0]["sentiment_confidence"],
    }
    assert first["content"] == mine[0]["content"]
    negative = http.get(f"/movies/{movie_id}/reviews", params={"sentiment": "negative"}).json()
    assert negative["total"] == sum(r["sentiment_label"] == "negative" for r in mine)
    assert http.get("/movies/987654321/reviews").status_code == 404


def test_given_people_then_lists_filter_and_detail_match_gold(http, served):
    people = served.gold.rows("person_filmography")
    directing = [p for p in people if p["known_for_department"] == "Directing"]
    expected = sorted(directing, key=lambda p: (-p["movie_count"], p["person_id"]))
    response = http.get("/people", params={"department": "Directing", "sort": "movie_count", "page_size": 10})
    assert ids(response) == [p["person_id"] for p in expected[:10]]
    assert response.json()["total"] == len(directing)

    star = max(people, key=lambda p: (p["popularity"], -p["person_id"]))
    first_word = tokens(star["name"])[0]
    named = [p for p in people if any(t.startswith(first_word) for t in tokens(p["name"]))]
    response = http.get("/people", params={"q": star["name"].split()[0], "page_size": 100})
    assert ids(response) == [
        p["person_id"] for p in sorted(named, key=lambda p: (-p["popularity"], p["person_id"]))
    ]

    detail = http.get(f"/people/{star['person_id']}").json()
    assert detail["name"] == star["name"] and detail["movie_count"] == star["movie_count"]
    assert detail["birthday"] == (star["birthday"].isoformat() if star["birthday"] else None)
    assert sorted(c["movie_id"] for c in detail["filmography"]) == sorted(
        c["movie_id"] for c in star["filmography"]
    )
    years = [c["release_year"] for c in detail["filmography"] if c["release_year"] is not None]
    assert years == sorted(years, reverse=True)
    assert http.get("/people/987654321").status_code == 404


def test_given_trending_then_movies_come_by_rank(http, served):
    rows = sorted(served.gold.rows("trending_movies"), key=lambda r: r["trend_rank"])
    body = http.get("/trending", params={"page_size": 25}).json()
    assert [item["rank"] for item in body["items"]] == list(range(1, 26))
    assert [item["id"] for item in body["items"]] == [r["movie_id"] for r in rows[:25]]
    assert body["items"][0]["popularity_change"] == rows[0]["popularity_change"]
    assert body["total"] == len(rows)


def test_given_a_year_range_then_genre_stats_are_weighted_totals_of_gold(http, served):
    rows = [r for r in served.gold.rows("genre_year_trends") if 1990 <= r["release_year"] <= 2025]
    drama = [r for r in rows if r["genre"] == "Drama"]
    body = http.get(
        "/genres/stats", params={"year_from": 1990, "year_to": 2025, "include_years": "true"}
    ).json()
    assert {item["genre"] for item in body["items"]} == {r["genre"] for r in rows}
    counts = [item["movie_count"] for item in body["items"]]
    assert counts == sorted(counts, reverse=True)
    item = next(i for i in body["items"] if i["genre"] == "Drama")
    assert item["movie_count"] == sum(r["movie_count"] for r in drama)
    assert item["total_revenue"] == sum(r["total_revenue"] for r in drama)
    weighted = sum(r["avg_vote_average"] * r["movie_count"] for r in drama) / item["movie_count"]
    assert item["avg_vote_average"] == pytest.approx(weighted, abs=1e-6)
    with_sentiment = [r for r in drama if r["avg_sentiment_score"] is not None]
    expected_sentiment = sum(r["avg_sentiment_score"] * r["movie_count"] for r in with_sentiment) / sum(
        r["movie_count"] for r in with_sentiment
    )
    assert item["avg_sentiment_score"] == pytest.approx(expected_sentiment, abs=1e-6)
    assert [y["release_year"] for y in item["years"]] == sorted(r["release_year"] for r in drama)
    one = http.get("/genres/stats", params={"genre": "Drama", "sort": "genre"}).json()["items"]
    assert [i["genre"] for i in one] == ["Drama"] and one[0]["years"] == []


def test_given_a_title_search_then_every_word_starts_a_title_word(http, served):
    movies = served.gold.rows("movie_metrics")
    popular = by_popularity(movies)[0]
    words = tokens(popular["title"])[:2]
    query = " ".join(w.upper() for w in words)  # case does not matter
    expected = [
        r
        for r in movies
        if all(any(t.startswith(w) for t in tokens(r["title"], r["original_title"])) for w in words)
    ]
    response = http.get("/search", params={"q": query, "page_size": 100})
    assert ids(response) == [r["movie_id"] for r in by_popularity(expected)]
    assert popular["movie_id"] in ids(response)


def test_given_health_then_each_dependency_reports_status_and_latency(http):
    response = http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [(d["name"], d["status"]) for d in body["dependencies"]] == [
        ("mongodb", "up"),
        ("serving_data", "up"),
    ]
    assert all(d["latency_ms"] >= 0 for d in body["dependencies"])
    assert date.fromisoformat(body["dependencies"][1]["detail"].split()[-1][:10])


def test_given_requests_then_metrics_count_them_by_route_and_time_mongodb(http):
    for _ in range(3):
        http.get("/movies/1")
    http.get("/movies", params={"page_size": 0})
    text = http.get("/metrics").text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    assert samples['tmdb_api_requests_total{method="GET",route="/movies/{movie_id}",status="200"}'] >= 3
    assert samples['tmdb_api_requests_total{method="GET",route="/movies",status="400"}'] >= 1
    assert samples['tmdb_api_request_duration_seconds_count{method="GET",route="/movies/{movie_id}"}'] >= 3
    assert samples['tmdb_api_mongo_command_duration_seconds_count{command="find",outcome="ok"}'] >= 3


def test_given_the_docs_then_openapi_and_the_interactive_page_are_served(http):
    schema = http.get("/schema/openapi.json").json()
    assert schema["info"]["title"] == "TMDB lakehouse API"
    assert {"/movies", "/movies/{movie_id}", "/search", "/health"} <= set(schema["paths"])
    page = http.get("/schema/swagger")
    assert page.status_code == 200 and "swagger" in page.text.lower()


def test_given_api_keys_then_data_needs_a_valid_key_and_health_does_not(served):
    from litestar.testing import TestClient

    from serving_api.app import create_app
    from serving_api.settings import ApiSettings

    app = create_app(ApiSettings(api_keys=["team-key-7f3a"]), served.mongo)
    with TestClient(app) as client:
        assert client.get("/movies").status_code == 401
        assert client.get("/movies", headers={"X-API-Key": "team-key-7f3"}).status_code == 401
        allowed = client.get("/movies", headers={"X-API-Key": "team-key-7f3a"})
        assert allowed.status_code == 200 and allowed.json()["total"] == len(
            served.gold.rows("movie_metrics")
        )
        assert client.get("/health").json()["status"] == "ok"
