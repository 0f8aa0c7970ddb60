{#- Business buckets shared by staging and marts; thresholds are documented in _tmdb__models.yml. -#}
{% macro popularity_tier(popularity) -%}
    case
        when {{ popularity }} is null then 'unknown'
        when {{ popularity }} >= 500 then 'viral'
        when {{ popularity }} >= 100 then 'high'
        when {{ popularity }} >= 20 then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro rating_tier(vote_average, vote_count) -%}
    case
        when coalesce({{ vote_count }}, 0) < 10 then 'unrated'
        when {{ vote_average }} >= 8 then 'acclaimed'
        when {{ vote_average }} >= 6.5 then 'good'
        when {{ vote_average }} >= 5 then 'mixed'
        else 'poor'
    end
{%- endmacro %}

{% macro runtime_bucket(runtime_minutes) -%}
    case
        when coalesce({{ runtime_minutes }}, 0) = 0 then 'unknown'
        when {{ runtime_minutes }} < 40 then 'short'
        when {{ runtime_minutes }} <= 90 then 'feature'
        when {{ runtime_minutes }} <= 150 then 'long'
        else 'epic'
    end
{%- endmacro %}

{#- TMDB sends '' for an unknown date: that is a null date, not a parse error. -#}
{% macro tmdb_date(column) -%}
    to_date(nullif(trim({{ column }}), ''), 'yyyy-MM-dd')
{%- endmacro %}
