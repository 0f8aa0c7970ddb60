{#- How many partitions review_sentiment runs over: Spark's shuffle partitions of the session (the
    pipeline sets a few per core), so every core scores. Without it the reviews of a small table are
    one scan partition, one task, and one core scores them all while the other waits. -#}
{% macro scoring_partitions() %}
  {%- if execute -%}
    {%- set configured = run_query("set spark.sql.shuffle.partitions").columns[1].values()[0] -%}
    {{ return(configured | int if configured | int > 0 else 4) }}
  {%- else -%}
    {{ return(4) }}
  {%- endif -%}
{% endmacro %}
