{#- Rank the versions of each entity, newest first: by extraction time, then Kafka offset (records
    of one entity share a partition because the Kafka key is the primary key). -#}
{% macro version_rank(key) -%}
    row_number() over (partition by {{ key }} order by _airbyte_emitted_at desc, kafka_offset desc)
{%- endmacro %}

{#- In an incremental run, only Bronze rows landed since the newest one already transformed. -#}
{% macro landed_since_last_run(ingested_column='ingested_at') -%}
    {%- if is_incremental() %}
    where {{ ingested_column }} > (select coalesce(max(landed_at), timestamp'1970-01-01') from {{ this }})
    {%- endif %}
{%- endmacro %}
