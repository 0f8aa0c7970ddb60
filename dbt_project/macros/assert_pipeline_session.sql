{#- dbt can reach a Spark session without the lakehouse: a bare `dbt-spark` session, or a Thrift
    server other than `tmdb-pipeline sql-server`. Check what the models need — the Iceberg catalog as
    Spark's default catalog, the review_sentiment UDF, the scoring model's id — and stop at once,
    naming what is missing, instead of failing mid-run with a cryptic error. -#}
{% macro assert_pipeline_session() %}
  {% if execute %}
    {% set problems = [] %}
    {% set default_catalog = run_query("set spark.sql.defaultCatalog").columns[1].values()[0] %}
    {% set catalog_impl = run_query("set spark.sql.catalog." ~ default_catalog).columns[1].values()[0] %}
    {% if "iceberg" not in (catalog_impl | string | lower) %}
      {% do problems.append(
          "the Iceberg catalog (spark.sql.defaultCatalog is '" ~ default_catalog ~ "', not an Iceberg catalog)"
      ) %}
    {% endif %}
    {% if run_query("show functions like 'review_sentiment'") | length == 0 %}
      {% do problems.append("the review_sentiment UDF (not registered on this session)") %}
    {% endif %}
    {% if sentiment_version() in ("", none) %}
      {% do problems.append(
          "the sentiment model's id (no var sentiment_version, no session setting spark.tmdb.sentiment.version)"
      ) %}
    {% endif %}
    {% if problems %}
      {{ exceptions.raise_compiler_error(
          "The Spark session of target '" ~ target.name ~ "' (method " ~ target.method ~ ") lacks "
          ~ problems | join(" and ") ~ ". Run dbt against the pipeline's Spark SQL endpoint "
          ~ "(start it with `tmdb-pipeline sql-server`; target `endpoint`, the default) or inside the "
          ~ "pipeline's own session with `tmdb-pipeline transform` / `tmdb-pipeline dbt <command>`."
      ) }}
    {% endif %}
  {% endif %}
{% endmacro %}
