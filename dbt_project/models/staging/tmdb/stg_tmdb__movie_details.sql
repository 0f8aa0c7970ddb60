{{ config(
    materialized='incremental', incremental_strategy='merge', unique_key='movie_id',
    on_schema_change='append_new_columns'
) }}

{%- set movie_schema -%}
    id bigint, imdb_id string, title string, original_title string, original_language string,
    overview string, tagline string, status string, release_date string, runtime int,
    budget bigint, revenue bigint, popularity double, vote_average double, vote_count bigint,
    adult boolean, video boolean, homepage string, poster_path string, backdrop_path string,
    genres array<struct<id: bigint, name: string>>,
    production_countries array<struct<iso_3166_1: string, name: string>>,
    spoken_languages array<struct<iso_639_1: string, english_name: string>>,
    keywords struct<keywords: array<struct<id: bigint, name: string>>>,
    external_ids struct<imdb_id: string, wikidata_id: string>
{%- endset %}

with

source as (

    select * from {{ source('tmdb', 'movie_details') }}
    {{ landed_since_last_run() }}

),

parsed as (

    select
        from_json(_airbyte_data, '{{ movie_schema | replace("\n", " ") }}') as movie,
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

latest as (

    select * from ranked
    where version_rank = 1

),

typed as (

    select
        -- ids
        movie.id as movie_id,
        nullif(trim(coalesce(movie.imdb_id, movie.external_ids.imdb_id)), '') as imdb_id,

        -- strings
        trim(movie.title) as title,
        trim(movie.original_title) as original_title,
        lower(trim(movie.original_language)) as original_language,
        nullif(trim(movie.overview), '') as overview,
        nullif(trim(movie.tagline), '') as tagline,
        movie.status,
        nullif(movie.poster_path, '') as poster_path,
        transform(movie.genres, g -> regexp_replace(trim(g.name), '\\s+', ' ')) as genres,
        transform(movie.genres, g -> g.id) as genre_ids,
        transform(movie.keywords.keywords, k -> lower(trim(k.name))) as keywords,
        transform(movie.production_countries, c -> upper(c.iso_3166_1)) as production_countries,
        transform(movie.spoken_languages, l -> lower(l.iso_639_1)) as spoken_languages,

        -- numerics
        nullif(movie.runtime, 0) as runtime_minutes,
        nullif(movie.budget, 0) as budget,
        nullif(movie.revenue, 0) as reported_revenue,
        movie.popularity,
        movie.vote_average,
        movie.vote_count,

        -- booleans
        coalesce(movie.adult, false) as is_adult,
        coalesce(movie.video, false) as is_video,

        -- dates
        {{ tmdb_date('movie.release_date') }} as release_date,

        -- timestamps
        _airbyte_emitted_at as extracted_at,
        ingested_at as landed_at

    from latest

),

guarded as (

    -- a film not yet released has earned nothing: TMDB's figure is kept as reported_revenue and flagged
    select
        *,
        case when release_date > current_date() then null else reported_revenue end as revenue,
        coalesce(release_date > current_date() and reported_revenue is not null, false)
            as has_revenue_before_release
    from typed

),

derived as (

    select
        *,
        year(release_date) as release_year,
        cast(floor(year(release_date) / 10) * 10 as int) as release_decade,
        {{ runtime_bucket('runtime_minutes') }} as runtime_bucket,
        {{ popularity_tier('popularity') }} as popularity_tier,
        {{ rating_tier('vote_average', 'vote_count') }} as rating_tier,
        revenue - budget as profit,
        round((revenue - budget) / budget, 4) as roi,

        -- quality flags
        overview is null as has_missing_overview,
        runtime_minutes is null as has_zero_runtime,
        release_date is null as has_missing_release_date,
        coalesce(
            release_date < date '1874-01-01' or release_date > date_add(current_date(), 365 * 5), false
        ) as has_implausible_release_date,
        budget is null as has_missing_budget,
        current_timestamp() as transformed_at,
        '{{ invocation_id }}' as dbt_invocation_id

    from guarded

)

select * from derived
