"""/people/{id}/co-stars and /people/{id}/collaborators over real HTTP against the synced FerretDB.

Expected answers are computed from the Gold rows the sync read (gold.co_stars and
gold.actor_director_pairs), never written by hand.
"""

from __future__ import annotations

from collections import Counter

import pytest

from serving_api.sync.documents import pair_id

pytestmark = pytest.mark.integration


def every_page(http, path: str, **params) -> tuple[list[dict], list[dict]]:
    """All items of a list, page by page; and each page's body without its items."""
    items, pages, page = [], [], 1
    while True:
        response = http.get(path, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body.pop("items")
        pages.append(body)
        if body["next"] is None:
            return items, pages
        page += 1


def most(rows, key: str) -> int:
    """The id appearing in most rows under `key` (the smallest among equals)."""
    counts = Counter(r[key] for r in rows)
    return min(counts, key=lambda i: (-counts[i], i))


def test_given_the_person_with_most_co_stars_then_every_page_matches_gold_in_order(http, served):
    rows = served.gold.rows("co_stars")
    person = most(rows, "person_id")
    mine = [r for r in rows if r["person_id"] == person]
    assert len(mine) > 100, "the sample should need several pages"
    # most movies together first; ties by the pair's _id ascending (the index's order)
    expected = sorted(mine, key=lambda r: pair_id(r["person_id"], r["co_star_id"]))
    expected.sort(key=lambda r: r["movies_together"], reverse=True)

    items, pages = every_page(http, f"/people/{person}/co-stars")
    assert [(i["id"], i["name"], i["movies_together"]) for i in items] == [
        (r["co_star_id"], r["co_star_name"], r["movies_together"]) for r in expected
    ]
    assert {p["total"] for p in pages} == {len(mine)}
    assert [p["page"] for p in pages] == list(range(1, pages[0]["total_pages"] + 1))
    assert pages[0]["prev"] is None
    assert pages[1]["prev"] == f"/people/{person}/co-stars?page_size=100&page=1"
    # Gold stores both directions: each co-star lists the person back, with the same count
    back = {(r["person_id"], r["co_star_id"]): r["movies_together"] for r in rows}
    assert all(back[(r["co_star_id"], person)] == r["movies_together"] for r in mine)


def test_given_a_name_sort_then_co_stars_come_alphabetically_in_either_direction(http, served):
    rows = served.gold.rows("co_stars")
    person = most(rows, "person_id")
    mine = [r for r in rows if r["person_id"] == person]
    for order in ("asc", "desc"):
        # ties by _id in the opposite direction (the index walked backwards when ascending)
        expected = sorted(
            mine, key=lambda r: pair_id(r["person_id"], r["co_star_id"]), reverse=order == "asc"
        )
        expected.sort(key=lambda r: r["co_star_name"], reverse=order == "desc")
        response = http.get(
            f"/people/{person}/co-stars", params={"sort": "name", "order": order, "page": 2, "page_size": 20}
        )
        assert response.status_code == 200, response.text
        assert [i["id"] for i in response.json()["items"]] == [r["co_star_id"] for r in expected[20:40]]


def test_given_an_actor_and_a_director_then_collaborators_are_the_other_side_of_their_pairs(http, served):
    rows = served.gold.rows("actor_director_pairs")
    for person, own, other, role in (
        (most(rows, "actor_id"), "actor_id", "director", "director"),
        (most(rows, "director_id"), "director_id", "actor", "actor"),
    ):
        mine = [r for r in rows if person in (r["actor_id"], r["director_id"])]
        assert all(r[own] == person for r in mine), "the sample has no actor-directors"
        expected = sorted(mine, key=lambda r: pair_id(r["actor_id"], r["director_id"]))
        expected.sort(key=lambda r: r["movies_together"], reverse=True)

        items, pages = every_page(http, f"/people/{person}/collaborators")
        assert items == [
            {
                "id": r[f"{other}_id"],
                "name": r[f"{other}_name"],
                "role": role,
                "movies_together": r["movies_together"],
            }
            for r in expected
        ]
        assert pages[0]["total"] == len(mine)
        only = http.get(f"/people/{person}/collaborators", params={"role": role}).json()
        assert only["total"] == len(mine)
        assert http.get(f"/people/{person}/collaborators", params={"role": own[:-3]}).json()["total"] == 0
        ascending = http.get(
            f"/people/{person}/collaborators", params={"order": "asc", "page_size": 5}
        ).json()
        assert [i["movies_together"] for i in ascending["items"]] == sorted(
            r["movies_together"] for r in mine
        )[:5]


def test_given_unknown_and_uncredited_people_then_404_and_empty_pages(http, served):
    for route in ("co-stars", "collaborators"):
        missing = http.get(f"/people/987654321/{route}")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "No person with id 987654321"
    # a person of the sample who is in no top-ten cast: a director, say
    actors = {r["person_id"] for r in served.gold.rows("co_stars")}
    director = next(
        r["director_id"] for r in served.gold.rows("actor_director_pairs") if r["director_id"] not in actors
    )
    body = http.get(f"/people/{director}/co-stars").json()
    assert (body["items"], body["total"], body["total_pages"], body["next"]) == ([], 0, 0, None)


def test_given_the_etag_of_a_co_star_page_then_if_none_match_is_a_304(http, served):
    person = served.gold.rows("co_stars")[0]["person_id"]
    first = http.get(f"/people/{person}/collaborators")
    tag = first.headers["etag"]
    again = http.get(f"/people/{person}/co-stars", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    invalid = http.get(f"/people/{person}/co-stars", params={"sort": "age"}, headers={"If-None-Match": tag})
    assert invalid.status_code == 400


def test_given_a_person_then_the_detail_still_carries_the_filmography(http, served):
    # the third part of the people graph: /people/{id} serves person_filmography whole
    row = max(served.gold.rows("person_filmography"), key=lambda p: (p["movie_count"], -p["person_id"]))
    detail = http.get(f"/people/{row['person_id']}").json()
    assert sorted((c["movie_id"], c["credit_type"], c["role"]) for c in detail["filmography"]) == sorted(
        (c["movie_id"], c["credit_type"], c["role"]) for c in row["filmography"]
    )
