"""Superset's TMDB dashboard as code: `python -m tmdb_pipeline.superset.dashboard` writes the asset
bundle under bi/superset/assets/ (Superset's v1 export format: database, datasets, charts, dashboard).

Each chart reads its own virtual dataset, whose SQL is the chart's question over Gold, so the
queries are readable here, runnable on any Spark SQL client, and reused by bench/engines.py. A unit
test checks the committed bundle is what this module builds; `tmdb-pipeline superset up` imports it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tmdb_pipeline.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "bi" / "superset" / "assets"
VERSION = "1.0.0"
DATABASE_NAME = "TMDB lakehouse"
DASHBOARD_SLUG = "tmdb-lakehouse"
# the URI is the local endpoint's; `superset up` replaces it with the configured one before importing
DATABASE_URI = "hive://superset@127.0.0.1:10000/gold"
MOVIE_FILTER_ID = "NATIVE_FILTER-movie-title"


def _uuid(name: str) -> str:
    """Stable ids, so a re-import updates the same objects instead of adding copies."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tmdb-lakehouse/{name}"))


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    temporal: bool = False


@dataclass(frozen=True)
class Chart:
    """One chart and the dataset it reads: `sql` is the question, the rest how Superset draws it."""

    key: str
    title: str
    sql: str
    columns: tuple[Column, ...]
    viz: str  # table | bar | line
    x: str = ""
    series: str = ""
    metric: str = ""  # SQL aggregate over the dataset, for bar and line
    metric_label: str = ""
    order_by: tuple[tuple[str, bool], ...] = ()  # (column, ascending), tables
    row_limit: int = 1000  # tables: above what their SQL returns, or Superset warns it cut rows
    width: int = 6
    height: int = 50
    filters: tuple[str, ...] = field(default=())

    @property
    def uuid(self) -> str:
        return _uuid(f"chart/{self.key}")

    @property
    def dataset_uuid(self) -> str:
        return _uuid(f"dataset/{self.key}")


CHARTS: tuple[Chart, ...] = (
    Chart(
        key="trending_movies",
        title="Trending movies",
        sql=(
            "select trend_rank, title, popularity, popularity_change, popularity_change_pct\n"
            "from gold.trending_movies\n"
            "where trend_rank <= 20"
        ),
        columns=(
            Column("trend_rank", "INT"),
            Column("title", "STRING"),
            Column("popularity", "DOUBLE"),
            Column("popularity_change", "DOUBLE"),
            Column("popularity_change_pct", "DOUBLE"),
        ),
        viz="table",
        order_by=(("trend_rank", True),),
    ),
    Chart(
        key="genre_year_trends",
        title="Movies released per year, by genre",
        sql=(
            "select genre, release_year, movie_count, avg_vote_average, avg_popularity\n"
            "from gold.genre_year_trends\n"
            "where release_year is not null"
        ),
        columns=(
            Column("genre", "STRING"),
            Column("release_year", "INT"),
            Column("movie_count", "BIGINT"),
            Column("avg_vote_average", "DOUBLE"),
            Column("avg_popularity", "DOUBLE"),
        ),
        viz="line",
        x="release_year",
        series="genre",
        metric="sum(movie_count)",
        metric_label="movies",
    ),
    Chart(
        key="sentiment_by_genre",
        title="Review sentiment by genre",
        sql=(
            "select genre, reviews.sentiment_label, count(*) as reviews\n"
            "from gold.movie_reviews as reviews\n"
            "inner join gold.movie_metrics as movies on movies.movie_id = reviews.movie_id\n"
            "lateral view explode(movies.genres) as genre\n"
            "where reviews.sentiment_label is not null\n"
            "group by genre, reviews.sentiment_label"
        ),
        columns=(
            Column("genre", "STRING"),
            Column("sentiment_label", "STRING"),
            Column("reviews", "BIGINT"),
        ),
        viz="bar",
        x="genre",
        series="sentiment_label",
        metric="sum(reviews)",
        metric_label="reviews",
    ),
    Chart(
        key="sentiment_over_time",
        title="Review sentiment over time (reviews per month)",
        sql=(
            "select cast(date_trunc('MONTH', created_at) as timestamp) as month, sentiment_label,\n"
            "    count(*) as reviews, avg(sentiment_score) as mean_score\n"
            "from gold.movie_reviews\n"
            "where sentiment_label is not null and created_at is not null\n"
            "group by 1, 2"
        ),
        columns=(
            Column("month", "TIMESTAMP", temporal=True),
            Column("sentiment_label", "STRING"),
            Column("reviews", "BIGINT"),
            Column("mean_score", "DOUBLE"),
        ),
        viz="line",
        x="month",
        series="sentiment_label",
        metric="sum(reviews)",
        metric_label="reviews",
    ),
    Chart(
        key="top_people",
        title="Top people by popularity",
        sql=(
            "select name, known_for_department, movie_count, popularity\n"
            "from gold.person_filmography\n"
            "order by popularity desc\n"
            "limit 25"
        ),
        columns=(
            Column("name", "STRING"),
            Column("known_for_department", "STRING"),
            Column("movie_count", "INT"),
            Column("popularity", "DOUBLE"),
        ),
        viz="table",
        order_by=(("popularity", False),),
        width=4,
    ),
    Chart(
        key="co_stars",
        title="Co-stars: most films together",
        sql=(
            "select other.co_star_name as person, pair.co_star_name as co_star, pair.movies_together\n"
            "from gold.co_stars as pair\n"
            "inner join gold.co_stars as other\n"
            "    on other.person_id = pair.co_star_id and other.co_star_id = pair.person_id\n"
            "where pair.person_id < pair.co_star_id\n"
            "order by pair.movies_together desc, person, co_star\n"
            "limit 25"
        ),
        columns=(
            Column("person", "STRING"),
            Column("co_star", "STRING"),
            Column("movies_together", "BIGINT"),
        ),
        viz="table",
        order_by=(("movies_together", False),),
        width=4,
    ),
    Chart(
        key="actor_director_pairs",
        title="Actor-director collaborations",
        sql=(
            "select actor_name, director_name, movies_together\n"
            "from gold.actor_director_pairs\n"
            "order by movies_together desc, actor_name, director_name\n"
            "limit 25"
        ),
        columns=(
            Column("actor_name", "STRING"),
            Column("director_name", "STRING"),
            Column("movies_together", "BIGINT"),
        ),
        viz="table",
        order_by=(("movies_together", False),),
        width=4,
    ),
    Chart(
        key="movie_metrics",
        title="One movie's metrics (the most popular, or the one chosen in the Movie filter)",
        sql=(
            "select concat(title, ' (', coalesce(cast(release_year as string), 'unreleased'), ')') as movie,\n"
            "    release_year, vote_average, vote_count, popularity, review_count,\n"
            "    sentiment_label, sentiment_mean_score, rating_sentiment_gap, revenue, roi\n"
            "from gold.movie_metrics"
        ),
        columns=(
            Column("movie", "STRING"),
            Column("release_year", "INT"),
            Column("vote_average", "DOUBLE"),
            Column("vote_count", "BIGINT"),
            Column("popularity", "DOUBLE"),
            Column("review_count", "BIGINT"),
            Column("sentiment_label", "STRING"),
            Column("sentiment_mean_score", "DOUBLE"),
            Column("rating_sentiment_gap", "DOUBLE"),
            Column("revenue", "BIGINT"),
            Column("roi", "DOUBLE"),
        ),
        viz="table",
        order_by=(("popularity", False),),
        row_limit=1,
        width=12,
        height=30,
    ),
)


def _adhoc_metric(chart: Chart) -> dict[str, Any]:
    return {
        "expressionType": "SQL",
        "sqlExpression": chart.metric,
        "label": chart.metric_label,
        "hasCustomLabel": True,
        "optionName": f"metric_{chart.key}",
    }


def form_data(chart: Chart) -> dict[str, Any]:
    """The chart's `params`, as Superset's explore view saves them."""
    common = {"viz_type": _VIZ[chart.viz], "adhoc_filters": [], "extra_form_data": {}, "dashboards": []}
    if chart.viz == "table":
        return common | {
            "query_mode": "raw",
            "all_columns": [c.name for c in chart.columns],
            "order_by_cols": [json.dumps([column, ascending]) for column, ascending in chart.order_by],
            "row_limit": chart.row_limit,
            "server_pagination": False,
            "table_timestamp_format": "smart_date",
            "show_cell_bars": True,
            "color_pn": True,
        }
    return common | {
        "x_axis": chart.x,
        "groupby": [chart.series],
        "metrics": [_adhoc_metric(chart)],
        "row_limit": 10000,
        "truncate_metric": True,
        "show_legend": True,
        "legendType": "scroll",
        "legendOrientation": "top",
        "rich_tooltip": True,
        "x_axis_sort_asc": True,
        "color_scheme": "supersetColors",
        "stack": "Stack" if chart.viz == "bar" else None,
        "x_axis_title_margin": 15,
        "y_axis_title_margin": 15,
        "y_axis_format": "SMART_NUMBER",
    }


_VIZ = {"table": "table", "bar": "echarts_timeseries_bar", "line": "echarts_timeseries_line"}


def query_context(chart: Chart) -> dict[str, Any]:
    """The query the chart runs, as the frontend saves it beside `params` (the datasource id is
    replaced on import by the imported dataset's)."""
    if chart.viz == "table":
        query: dict[str, Any] = {
            "columns": [c.name for c in chart.columns],
            "metrics": [],
            "orderby": [[column, ascending] for column, ascending in chart.order_by],
            "row_limit": chart.row_limit,
        }
    else:
        metric = _adhoc_metric(chart)
        axis = {
            "columnType": "BASE_AXIS",
            "sqlExpression": chart.x,
            "label": chart.x,
            "expressionType": "SQL",
        }
        query = {
            "columns": [axis, chart.series],
            "metrics": [metric],
            "orderby": [[metric, False]],
            "row_limit": 10000,
            "series_columns": [chart.series],
            "post_processing": [
                {
                    "operation": "pivot",
                    "options": {
                        "index": [chart.x],
                        "columns": [chart.series],
                        "aggregates": {chart.metric_label: {"operator": "mean"}},
                        "drop_missing_columns": False,
                    },
                },
                {"operation": "flatten"},
            ],
        }
    query |= {"filters": [], "extras": {"having": "", "where": ""}, "applied_time_extras": {}}
    return {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": form_data(chart),
        "result_format": "json",
        "result_type": "full",
    }


def database() -> dict[str, Any]:
    return {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": DATABASE_URI,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {"allows_virtual_table_explore": True},
        "uuid": _uuid("database"),
        "version": VERSION,
    }


def dataset(chart: Chart) -> dict[str, Any]:
    temporal = [c.name for c in chart.columns if c.temporal]
    return {
        "table_name": chart.key,
        "main_dttm_col": temporal[0] if temporal else None,
        "description": f"The question behind the chart '{chart.title}'.",
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "schema": "gold",
        "sql": chart.sql,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "uuid": chart.dataset_uuid,
        "metrics": [
            {
                "metric_name": "count",
                "verbose_name": "COUNT(*)",
                "metric_type": "count",
                "expression": "COUNT(*)",
                "description": None,
                "d3format": None,
                "extra": None,
                "warning_text": None,
            }
        ],
        "columns": [
            {
                "column_name": column.name,
                "verbose_name": None,
                "is_dttm": column.temporal,
                "is_active": True,
                "type": column.type,
                "groupby": True,
                "filterable": True,
                "expression": None,
                "description": None,
                "python_date_format": None,
                "extra": None,
            }
            for column in chart.columns
        ],
        "version": VERSION,
        "database_uuid": _uuid("database"),
    }


def chart_config(chart: Chart) -> dict[str, Any]:
    return {
        "slice_name": chart.title,
        "description": None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": _VIZ[chart.viz],
        "params": form_data(chart),
        "query_context": json.dumps(query_context(chart)),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": VERSION,
        "dataset_uuid": chart.dataset_uuid,
    }


def _chart_ids() -> dict[str, int]:
    # ids local to the bundle: Superset maps them to its own through the charts' uuids on import
    return {chart.key: index for index, chart in enumerate(CHARTS, start=1)}


def _position() -> dict[str, Any]:
    ids = _chart_ids()
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": "TMDB lakehouse"}},
    }
    rows: list[list[Chart]] = []
    for chart in CHARTS:  # fill rows of 12 columns in order
        if rows and sum(c.width for c in rows[-1]) + chart.width <= 12:
            rows[-1].append(chart)
        else:
            rows.append([chart])
    grid_children = []
    for number, row in enumerate(rows, start=1):
        row_id = f"ROW-{number}"
        grid_children.append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [f"CHART-{chart.key}" for chart in row],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            position[f"CHART-{chart.key}"] = {
                "type": "CHART",
                "id": f"CHART-{chart.key}",
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": ids[chart.key],
                    "uuid": chart.uuid,
                    "sliceName": chart.title,
                    "width": chart.width,
                    "height": chart.height,
                },
            }
    position["GRID_ID"] = {"type": "GRID", "id": "GRID_ID", "children": grid_children, "parents": ["ROOT_ID"]}
    return position


def _movie_filter() -> dict[str, Any]:
    ids = _chart_ids()
    movie = next(chart for chart in CHARTS if chart.key == "movie_metrics")
    return {
        "id": MOVIE_FILTER_ID,
        "name": "Movie",
        "filterType": "filter_select",
        "type": "NATIVE_FILTER",
        "description": "The movie whose metrics the last chart shows.",
        "targets": [{"datasetUuid": movie.dataset_uuid, "column": {"name": "movie"}}],
        "controlValues": {
            "enableEmptyFilter": False,
            "defaultToFirstItem": False,
            "multiSelect": False,
            "searchAllOptions": True,
            "inverseSelection": False,
            "sortAscending": True,
        },
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
        "scope": {"rootPath": ["ROOT_ID"], "excluded": [i for k, i in ids.items() if k != movie.key]},
    }


def dashboard() -> dict[str, Any]:
    return {
        "dashboard_title": "TMDB lakehouse",
        "description": "Gold: trending movies, genres by year, review sentiment, people, one movie.",
        "css": "",
        "slug": DASHBOARD_SLUG,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": _uuid("dashboard"),
        "position": _position(),
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "shared_label_colors": [],
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": False,
            "native_filter_configuration": [_movie_filter()],
            "chart_configuration": {},
        },
        "version": VERSION,
    }


def bundle() -> dict[str, str]:
    """The bundle's files (path relative to the bundle's root → YAML text)."""

    def text(value: dict[str, Any]) -> str:
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)

    files = {
        "metadata.yaml": text({"version": VERSION, "type": "assets"}),
        "databases/tmdb_lakehouse.yaml": text(database()),
        "dashboards/tmdb_lakehouse.yaml": text(dashboard()),
    }
    for chart in CHARTS:
        files[f"datasets/tmdb_lakehouse/{chart.key}.yaml"] = text(dataset(chart))
        files[f"charts/{chart.key}.yaml"] = text(chart_config(chart))
    return files


def write(out: Path = OUT) -> list[Path]:
    written = []
    for name, content in bundle().items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path.relative_to(PROJECT_ROOT))
