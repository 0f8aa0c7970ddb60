"""The emulator over real HTTP: auth, TMDB's error bodies, pagination, lists, discover, append."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator

INVALID_KEY = {
    "success": False,
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
}
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}


def _error(response: httpx.Response, status: int, code: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == code and body["success"] is False and body["status_message"]


# --- auth -------------------------------------------------------------------------------
def test_given_a_wrong_api_key_when_calling_then_401_with_tmdb_code_7(emu: RunningEmulator) -> None:
    response = httpx.get(f"{emu.base_url}/movie/1", params={"api_key": "wrong"})
    assert response.status_code == 401 and response.json() == INVALID_KEY


def test_given_no_credentials_when_calling_then_401_with_code_7(emu: RunningEmulator) -> None:
    response = httpx.get(f"{emu.base_url}/movie/popular")
    assert response.status_code == 401 and response.json() == INVALID_KEY


def test_given_a_wrong_bearer_token_when_calling_then_401_with_code_7(emu: RunningEmulator) -> None:
    response = httpx.get(f"{emu.base_url}/movie/1", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json() == INVALID_KEY


def test_given_the_read_access_token_when_calling_with_bearer_then_200(emu: RunningEmulator) -> None:
    headers = {"Authorization": f"Bearer {emu.read_access_token}"}
    response = httpx.get(f"{emu.base_url}/movie/1", headers=headers)
    assert response.status_code == 200 and response.json()["id"] == 1


# --- not found, pages, appends, windows -------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/movie/99999999", "/movie/abc", "/person/99999999", "/tv/1", "/movie/1/videos"]
)
def test_given_an_unknown_resource_when_calling_then_404_with_code_34(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_given_the_id_after_the_last_movie_when_reading_it_then_404(
    api: httpx.Client, emu: RunningEmulator
) -> None:
    assert api.get(f"/movie/{emu.movies}").status_code == 200
    assert api.get(f"/movie/{emu.movies + 1}").json() == NOT_FOUND


@pytest.mark.parametrize(
    "path", ["/movie/popular", "/discover/movie", "/movie/1/reviews", "/trending/movie/week"]
)
@pytest.mark.parametrize("page", ["501", "0", "x"])
def test_given_a_page_outside_1_to_500_when_listing_then_400_with_code_22(
    api: httpx.Client, path: str, page: str
) -> None:
    _error(api.get(path, params={"page": page}), 400, 22)


def test_given_page_500_beyond_the_last_when_listing_then_an_empty_page(
    api: httpx.Client, emu: RunningEmulator
) -> None:
    body = api.get("/movie/popular", params={"page": 500}).json()
    assert body["page"] == 500 and body["results"] == []
    assert body["total_results"] == emu.movies and body["total_pages"] == -(-emu.movies // 20)


def test_given_21_appends_when_reading_a_movie_then_400_with_code_27(api: httpx.Client) -> None:
    names = ["credits", "reviews", "keywords"] * 7
    _error(api.get("/movie/1", params={"append_to_response": ",".join(names)}), 400, 27)
    assert api.get("/movie/1", params={"append_to_response": ",".join(names[:20])}).status_code == 200


def test_given_a_changes_window_over_14_days_when_asking_then_422_with_code_20(api: httpx.Client) -> None:
    end = date.today()
    too_long = {"start_date": (end - timedelta(days=15)).isoformat(), "end_date": end.isoformat()}
    _error(api.get("/movie/changes", params=too_long), 422, 20)
    _error(api.get("/person/changes", params=too_long), 422, 20)
    longest = {"start_date": (end - timedelta(days=14)).isoformat(), "end_date": end.isoformat()}
    assert api.get("/movie/changes", params=longest).status_code == 200
    _error(api.get("/movie/changes", params={"start_date": "2024/01/01"}), 400, 23)


# --- lists ------------------------------------------------------------------------------
def _all_pages(api: httpx.Client, path: str, **params: str) -> list[dict]:
    first = api.get(path, params=params).json()
    results = list(first["results"])
    for page in range(2, min(first["total_pages"], 500) + 1):
        results += api.get(path, params={**params, "page": page}).json()["results"]
    assert len(results) == first["total_results"]
    return results


def test_given_popular_when_paging_then_20_per_page_by_popularity_and_every_movie_once(
    api: httpx.Client, emu: RunningEmulator
) -> None:
    first = api.get("/movie/popular").json()
    assert len(first["results"]) == 20
    movies = _all_pages(api, "/movie/popular")
    assert sorted(m["id"] for m in movies) == list(range(1, emu.movies + 1))
    popularity = [m["popularity"] for m in movies]
    assert popularity == sorted(popularity, reverse=True)


def test_given_top_rated_when_listing_then_by_vote_average_among_well_voted(api: httpx.Client) -> None:
    movies = _all_pages(api, "/movie/top_rated")
    assert movies and all(m["vote_count"] >= 300 for m in movies)
    averages = [m["vote_average"] for m in movies]
    assert averages == sorted(averages, reverse=True)


@pytest.mark.parametrize("kind", ["now_playing", "upcoming"])
def test_given_dated_lists_when_listing_then_every_release_is_inside_the_dates(
    api: httpx.Client, kind: str
) -> None:
    body = api.get(f"/movie/{kind}").json()
    low, high = body["dates"]["minimum"], body["dates"]["maximum"]
    movies = _all_pages(api, f"/movie/{kind}")
    assert movies, f"{kind} should not be empty"
    assert all(low <= m["release_date"] <= high for m in movies)
    today = datetime.now(UTC).date().isoformat()
    assert (high <= today) if kind == "now_playing" else (low > today)


@pytest.mark.parametrize("window", ["day", "week"])
def test_given_trending_when_listing_then_movies_with_media_type(api: httpx.Client, window: str) -> None:
    body = api.get(f"/trending/movie/{window}").json()
    assert len(body["results"]) == 20 and all(m["media_type"] == "movie" for m in body["results"])


def test_given_discover_filters_when_listing_then_every_result_matches(api: httpx.Client) -> None:
    params = {
        "with_genres": "18",
        "primary_release_date.gte": "1980-01-01",
        "primary_release_date.lte": "2015-12-31",
        "sort_by": "vote_count.desc",
    }
    movies = _all_pages(api, "/discover/movie", **params)
    assert movies
    assert all(18 in m["genre_ids"] and "1980-01-01" <= m["release_date"] <= "2015-12-31" for m in movies)
    votes = [m["vote_count"] for m in movies]
    assert votes == sorted(votes, reverse=True)
    either = _all_pages(api, "/discover/movie", with_genres="27|878")
    assert all({27, 878} & set(m["genre_ids"]) for m in either)
    oldest = api.get("/discover/movie", params={"sort_by": "primary_release_date.asc"}).json()["results"]
    dates = [m["release_date"] for m in oldest]
    assert dates == sorted(dates) and "" not in dates
    assert api.get("/discover/movie", params={"with_genres": "123456"}).json()["total_results"] == 0
    _error(api.get("/discover/movie", params={"sort_by": "nonsense.desc"}), 422, 5)


# --- one movie --------------------------------------------------------------------------
def test_given_append_to_response_when_reading_a_movie_then_it_inlines_each_sub_resource(
    api: httpx.Client,
) -> None:
    movie_id = api.get("/movie/popular").json()["results"][0]["id"]
    appends = "credits,reviews,keywords,release_dates,external_ids"
    movie = api.get(f"/movie/{movie_id}", params={"append_to_response": appends}).json()
    assert movie["id"] == movie_id
    for name in appends.split(","):
        alone = api.get(f"/movie/{movie_id}/{name}").json()
        assert alone.pop("id") == movie_id
        assert movie[name] == alone
    plain = api.get(f"/movie/{movie_id}").json()
    assert {k: v for k, v in movie.items() if k not in appends.split(",")} == plain


def test_given_a_movie_with_many_reviews_when_paging_reviews_then_pages_are_tmdb_shaped(
    api: httpx.Client,
) -> None:
    movies = api.get("/movie/popular").json()["results"]
    counts = {m["id"]: api.get(f"/movie/{m['id']}/reviews").json()["total_results"] for m in movies}
    movie_id = max(counts, key=counts.__getitem__)
    assert counts[movie_id] > 20, "the most popular films have more than one page of reviews"
    reviews = _all_pages(api, f"/movie/{movie_id}/reviews")
    assert len({r["id"] for r in reviews}) == len(reviews)
    for review in reviews:
        rating = review["author_details"]["rating"]
        assert rating is None or (isinstance(rating, int | float) and 1 <= rating <= 10)
        datetime.fromisoformat(review["created_at"].replace("Z", "+00:00"))
        datetime.fromisoformat(review["updated_at"].replace("Z", "+00:00"))


def test_given_a_credited_person_when_reading_them_then_their_record_matches_the_credit(
    api: httpx.Client,
) -> None:
    movie_id = api.get("/movie/popular").json()["results"][0]["id"]
    credit = api.get(f"/movie/{movie_id}/credits").json()["cast"][0]
    person = api.get(f"/person/{credit['id']}").json()
    assert person["name"] == credit["name"] and person["known_for_department"] == "Acting"


def test_given_a_title_word_when_searching_then_matching_movies_and_422_without_query(
    api: httpx.Client,
) -> None:
    title = api.get("/movie/popular").json()["results"][0]["title"]
    word = max(title.split(), key=len)
    found = api.get("/search/movie", params={"query": word}).json()
    assert found["results"] and all(
        word.lower() in m["title"].lower() + m["original_title"].lower() for m in found["results"]
    )
    response = api.get("/search/movie")
    assert response.status_code == 422 and response.json() == {"errors": ["query must be provided"]}


def test_given_the_genre_list_when_read_then_tmdb_genres(api: httpx.Client) -> None:
    genres = api.get("/genre/movie/list").json()["genres"]
    assert {"id": 18, "name": "Drama"} in genres and len(genres) == 19


# --- counters ---------------------------------------------------------------------------
def test_given_requests_when_reading_stats_then_they_are_counted_by_path_and_status(
    emu: RunningEmulator,
) -> None:
    emu.reset_stats()
    with httpx.Client(base_url=emu.base_url, params={"api_key": emu.api_key}) as client:
        client.get("/movie/1")
        client.get("/movie/2/credits")
        client.get(f"/movie/{emu.movies + 5}")
    httpx.get(f"{emu.base_url}/movie/1", params={"api_key": "bad"})
    stats = emu.stats()
    assert stats["requests"] == 4 and stats["unauthorized"] == 1 and stats["rate_limited"] == 0
    assert stats["by_path"] == {"/3/movie/{id}": 3, "/3/movie/{id}/credits": 1}
    assert stats["by_status"] == {"200": 2, "401": 1, "404": 1}
    assert stats["faults"] == {"5xx": 0, "slow": 0, "malformed": 0}
