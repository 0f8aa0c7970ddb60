with

source as (

    select * from {{ source('tmdb', 'genres') }}

),

parsed as (

    select
        from_json(_airbyte_data, 'id bigint, name string') as genre,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('genre.id') }} as version_rank
    from parsed

),

final as (

    select
        -- ids
        genre.id as genre_id,

        -- strings
        regexp_replace(trim(genre.name), '\\s+', ' ') as genre_name,

        -- timestamps
        _airbyte_emitted_at as extracted_at,
        ingested_at as landed_at

    from ranked
    where version_rank = 1

)

select * from final
