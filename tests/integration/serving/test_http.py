"""HTTP over the real server: HEAD, gzip, caching by the synced snapshot, page links, strict input
and the JSON error shape for requests too large to route."""

from __future__ import annotations

import gzip
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_given_head_then_the_headers_of_get_without_a_body(http):
    for url in ("/movies?page_size=3", "/health", "/genres/stats"):
        get, head = http.get(url), http.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("etag") == get.headers.get("etag")


def test_given_a_large_answer_then_it_is_gzipped_and_a_small_one_is_not(api):
    with httpx.Client(base_url=api.base_url, headers={"Accept-Encoding": "gzip"}) as client:
        with client.stream("GET", "/genres/stats?include_years=true") as large:
            compressed = b"".join(large.iter_raw())
        small = client.get("/movies?page_size=1")
    assert large.status_code == 200 and large.headers["content-encoding"] == "gzip"
    plain = gzip.decompress(compressed)
    assert plain.startswith(b'{"items":') and len(compressed) < len(plain) / 3
    assert "content-encoding" not in small.headers and len(small.content) < 1024


def test_given_the_etag_of_a_page_then_if_none_match_is_a_304_until_the_next_sync(http, served):
    first = http.get("/movies", params={"genre": "Drama"})
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["last-modified"].endswith("GMT")
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = http.get("/movies", params={"genre": "Drama"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = http.get("/movies", params={"genre": "Drama"}, headers={"If-None-Match": 'W/"stale"'})
    assert other.status_code == 200 and other.json() == first.json()
    assert http.get("/health").headers.get("etag") is None  # live status is never cached
    # a current tag does not excuse a bad parameter
    invalid = http.get("/movies", params={"genre": "Drama", "pagesize": "1"}, headers={"If-None-Match": tag})
    assert invalid.status_code == 400 and "pagesize" in invalid.text


def test_given_pages_then_next_and_prev_link_to_the_neighbours_with_the_same_filters(http, served):
    body = http.get("/movies", params={"genre": "Drama", "page_size": 5, "page": 2}).json()
    assert body["total_pages"] > 2
    for link, page in ((body["next"], 3), (body["prev"], 1)):
        parts = urlsplit(link)
        assert parts.path == "/movies"
        assert parse_qs(parts.query) == {"genre": ["Drama"], "page_size": ["5"], "page": [str(page)]}
        assert http.get(link).json()["page"] == page
    last = http.get("/movies", params={"genre": "Drama", "page_size": 5, "page": body["total_pages"]}).json()
    assert last["next"] is None and http.get("/movies").json()["prev"] is None


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/movies?pagesize=1", "pagesize"),
        ("/movies/1e2", "movie_id"),
        ("/people/12.0", "person_id"),
        ("/movies?page=1e1", "page"),
        ("/movies?year_from=null", "year_from"),
        ("/movies?sentiment=null", "sentiment"),
        ("/movies?min_rating=inf", "min_rating"),
        ("/genres/stats?include_years=1", "include_years"),
    ],
)
def test_given_input_the_schema_does_not_allow_then_400_names_it(http, url, parameter):
    response = http.get(url)
    assert response.status_code == 400, response.text
    assert parameter in [e["parameter"] for e in response.json()["errors"]]


def test_given_an_unknown_parameter_then_the_known_ones_are_listed(http):
    message = http.get("/trending?pagesize=1").json()["errors"][0]["message"]
    assert message == "unknown; known: page, page_size"


def test_given_a_reversed_year_range_or_a_wordless_search_then_an_empty_page(http):
    for url in ("/movies?year_from=2000&year_to=1990", "/search?q=%5C", "/people?q=%21%21"):
        body = http.get(url).json()
        assert (body["items"], body["total"], body["next"]) == ([], 0, None), url


def test_given_a_huge_url_or_headers_then_the_json_error_shape(http):
    for response, status in (
        (http.get("/movies", params={"genre": "x" * 3000}), 414),
        (http.get("/movies", headers={"X-Padding": "y" * 9000}), 431),
        # past uvicorn's own default (16 KiB), which would answer in plain text
        (http.get("/movies", headers={"X-Padding": "y" * 30_000}), 431),
    ):
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"status", "title", "detail", "errors"} and body["status"] == status
