{#-
    Movies TMDB reported as changed: one row per movie and window that reported it (the source's key
    is [id, window_start]), so a movie changed in three windows keeps its three reports.
-#}

with

source as (

    select * from {{ source('tmdb', 'movie_changes') }}

),

parsed as (

    select
        from_json(_airbyte_data, 'id bigint, adult boolean, window_start string, window_end string')
            as change,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('change.id, change.window_start') }} as version_rank
    from parsed

),

final as (

    select
        concat_ws('/', cast(change.id as string), change.window_start) as movie_change_id,
        change.id as movie_id,
        coalesce(change.adult, false) as is_adult,
        {{ tmdb_date('change.window_start') }} as window_start_date,
        {{ tmdb_date('change.window_end') }} as window_end_date,
        _airbyte_emitted_at as reported_at,
        ingested_at as landed_at
    from ranked
    where version_rank = 1

)

select * from final
