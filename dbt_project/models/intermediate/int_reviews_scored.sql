{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='review_id',
    on_schema_change='append_new_columns'
) }}

{#- Review sentiment from the transformer UDF `review_sentiment` (registered on the session by
    `tmdb-pipeline transform` and by the Spark SQL endpoint). Incremental: a review is scored again
    only when its text or its updated_at changed, or when the model did (`sentiment_version()`: the
    var the runner passes or the endpoint's setting; a retrained artifact or another threshold), so an
    unchanged review is never scored twice by one model. -#}

with

reviews as (

    select
        *,
        sha2(coalesce(content, ''), 256) as content_hash
    from {{ ref('stg_tmdb__reviews') }}

),

to_score as (

    -- spread over every core before the UDF (see scoring_partitions)
    select /*+ repartition({{ scoring_partitions() }}) */ reviews.*
    from reviews
    {% if is_incremental() %}
    left anti join {{ this }} as already_scored
        on already_scored.review_id = reviews.review_id
        and already_scored.content_hash = reviews.content_hash
        and already_scored.updated_at <=> reviews.updated_at
        and already_scored.sentiment_version <=> '{{ sentiment_version() }}'
    {% endif %}

),

scored as (

    select
        *,
        review_sentiment(content) as sentiment
    from to_score

),

final as (

    select
        -- ids
        review_id,
        movie_id,

        -- strings
        author,
        content,
        content_hash,
        sentiment.label as sentiment_label,
        '{{ sentiment_version() }}' as sentiment_version,

        -- numerics
        author_rating,
        sentiment.score as sentiment_score,
        sentiment.confidence as sentiment_confidence,

        -- timestamps
        created_at,
        updated_at,
        current_timestamp() as scored_at,
        '{{ invocation_id }}' as scored_in_invocation

    from scored

)

select * from final
