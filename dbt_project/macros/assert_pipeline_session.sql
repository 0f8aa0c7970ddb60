{#- A plain `dbt build` from a shell gets a bare SparkSession: no Iceberg catalog, no
    review_sentiment UDF. Fail at once with the fix instead of a cryptic error mid-run. -#}
{% macro assert_pipeline_session() %}
  {% if execute %}
    {% set marker = run_query("set spark.tmdb.pipeline.session").columns[1].values()[0] %}
    {% if marker != "true" %}
      {{ exceptions.raise_compiler_error(
          "This dbt project must run inside the pipeline's Spark session, which configures the "
          ~ "Iceberg catalog and registers the review_sentiment UDF. Run it with "
          ~ "`tmdb-pipeline transform` (dbt build) or `tmdb-pipeline dbt <command>` instead of plain `dbt`."
      ) }}
    {% endif %}
  {% endif %}
{% endmacro %}
