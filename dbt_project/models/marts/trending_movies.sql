{#- Popularity now against the previous extraction of the same movie. A movie seen once has no
    change yet; it ranks after every movie with a measured change. -#}

with

versions as (

    select * from {{ ref('stg_tmdb__movie_detail_versions') }}

),

movies as (

    select
        movie_id,
        title
    from {{ ref('stg_tmdb__movie_details') }}

),

snapshots as (

    -- one row per movie and extraction (an extraction may land twice: keep its last offset)
    select
        movie_id,
        extracted_at,
        max_by(popularity, kafka_offset) as popularity
    from versions
    group by movie_id, extracted_at

),

ordered as (

    select
        *,
        row_number() over (partition by movie_id order by extracted_at desc) as recency,
        lead(popularity) over (partition by movie_id order by extracted_at desc) as previous_popularity
    from snapshots

),

changes as (

    select
        movie_id,
        popularity,
        previous_popularity,
        popularity - previous_popularity as popularity_change,
        round((popularity - previous_popularity) / nullif(previous_popularity, 0) * 100, 2)
            as popularity_change_pct,
        extracted_at as observed_at
    from ordered
    where recency = 1

),

final as (

    select
        changes.movie_id,
        movies.title,
        changes.popularity,
        changes.previous_popularity,
        changes.popularity_change,
        changes.popularity_change_pct,
        cast(row_number() over (
            order by changes.popularity_change desc nulls last, changes.popularity desc, changes.movie_id asc
        ) as int) as trend_rank,
        changes.observed_at
    from changes
    inner join movies on movies.movie_id = changes.movie_id

)

select * from final
