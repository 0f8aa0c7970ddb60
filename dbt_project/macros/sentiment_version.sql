{#- The id of the model review_sentiment scores with: the var when given (`tmdb-pipeline transform`
    passes it), else what the Spark SQL endpoint publishes on its session, so a plain `dbt build`
    re-scores reviews after the model changes exactly as the wrapper does. -#}
{% macro sentiment_version() %}
  {%- if var("sentiment_version", none) is not none -%}
    {{ return(var("sentiment_version") | string) }}
  {%- elif execute -%}
    {%- set published = run_query("set spark.tmdb.sentiment.version").columns[1].values()[0] -%}
    {{ return("" if published in (none, "<undefined>") else published | string) }}
  {%- else -%}
    {{ return("") }}
  {%- endif -%}
{% endmacro %}
