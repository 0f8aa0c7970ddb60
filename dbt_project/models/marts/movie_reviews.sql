{{ config(materialized='incremental', incremental_strategy='merge', unique_key='review_id') }}

with

scored as (

    select * from {{ ref('int_reviews_scored') }} as reviews
    {% if is_incremental() %}
    where
        reviews.scored_at > (
            select coalesce(max(synced.scored_at), timestamp '1970-01-01') from {{ this }} as synced
        )
    {% endif %}

),

final as (

    select
        review_id,
        movie_id,
        author,
        author_rating as rating,
        content,
        created_at,
        updated_at,
        sentiment_score,
        sentiment_label,
        sentiment_confidence,
        scored_at
    from scored

)

select * from final
