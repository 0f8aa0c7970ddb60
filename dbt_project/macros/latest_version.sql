{#- Rank the versions of each entity, newest first: by extraction time, then Kafka offset (records
    of one entity share a partition because the Kafka key is the primary key). -#}
{% macro version_rank(key) -%}
    row_number() over (partition by {{ key }} order by _airbyte_emitted_at desc, kafka_offset desc)
{%- endmacro %}

{#- In an incremental run, only Bronze rows landed since the newest one already transformed. The
    watermark is read first and written into the query as a literal: Iceberg then skips every data
    file whose ingested_at range lies before it (each landing batch writes files of its own), where a
    subquery filter is applied only after every Bronze row was read, and Bronze only grows. -#}
{% macro landed_since_last_run(ingested_column='ingested_at') -%}
    {%- if is_incremental() %}
    where {{ ingested_column }} > timestamp'{{ landed_watermark() }}'
    {%- endif %}
{%- endmacro %}

{#- The newest landed_at in the model's table (its own unit tests override it). Read as text in the
    session's time zone and parsed back in it, so no client time zone shifts it. -#}
{% macro landed_watermark() -%}
    {%- set newest = none %}
    {%- if execute %}
        {%- set newest = run_query("select cast(max(landed_at) as string) from " ~ this).columns[0].values()[0] %}
    {%- endif %}
    {{- newest or '1970-01-01 00:00:00' -}}
{%- endmacro %}
