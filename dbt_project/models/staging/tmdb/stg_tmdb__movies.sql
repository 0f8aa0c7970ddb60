{#- Movies as the seed lists showed them, latest sighting per movie. -#}

with

source as (

    select * from {{ source('tmdb', 'movies') }}

),

parsed as (

    select
        from_json(
            _airbyte_data,
            'id bigint, title string, original_language string, release_date string,
             popularity double, vote_average double, vote_count bigint, genre_ids array<bigint>, adult boolean'
        ) as movie,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('movie.id') }} as version_rank
    from parsed

),

final as (

    select
        movie.id as movie_id,
        trim(movie.title) as title,
        lower(trim(movie.original_language)) as original_language,
        movie.genre_ids,
        movie.popularity,
        movie.vote_average,
        movie.vote_count,
        coalesce(movie.adult, false) as is_adult,
        {{ tmdb_date('movie.release_date') }} as release_date,
        _airbyte_emitted_at as listed_at,
        ingested_at as landed_at
    from ranked
    where version_rank = 1

)

select * from final
