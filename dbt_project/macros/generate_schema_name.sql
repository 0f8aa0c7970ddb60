{#- Use the layer name (silver, gold) as the schema itself, not "<target>_<layer>": the Iceberg
    namespaces are the lakehouse's layers. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
