{{ config(materialized='incremental', incremental_strategy='merge', unique_key='review_id') }}

with

source as (

    select * from {{ source('tmdb', 'reviews') }}
    {{ landed_since_last_run() }}

),

parsed as (

    select
        from_json(
            _airbyte_data,
            'id string, movie_id bigint, author string, content string, created_at string,
             updated_at string, url string,
             author_details struct<name: string, username: string, rating: double>'
        ) as review,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('review.id') }} as version_rank
    from parsed

),

final as (

    select
        -- ids
        review.id as review_id,
        review.movie_id,

        -- strings
        trim(review.author) as author,
        review.author_details.username as author_username,
        trim(review.content) as content,
        review.url,

        -- numerics
        review.author_details.rating as author_rating,
        length(review.content) as content_length,

        -- booleans
        review.author_details.rating is null as has_missing_rating,
        coalesce(trim(review.content), '') = '' as has_empty_content,

        -- timestamps
        to_timestamp(review.created_at) as created_at,
        to_timestamp(review.updated_at) as updated_at,
        _airbyte_emitted_at as extracted_at,
        ingested_at as landed_at,
        current_timestamp() as transformed_at

    from ranked
    where version_rank = 1

)

select * from final
