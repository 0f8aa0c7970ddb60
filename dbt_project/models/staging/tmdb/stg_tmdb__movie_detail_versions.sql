{{ config(materialized='incremental', incremental_strategy='append') }}

{#- Every extracted version of every movie, typed: the history trending_movies compares. -#}

with

source as (

    select * from {{ source('tmdb', 'movie_details') }}
    {{ landed_since_last_run() }}

),

final as (

    select
        cast(get_json_object(_airbyte_data, '$.id') as bigint) as movie_id,
        cast(get_json_object(_airbyte_data, '$.popularity') as double) as popularity,
        cast(get_json_object(_airbyte_data, '$.vote_average') as double) as vote_average,
        cast(get_json_object(_airbyte_data, '$.vote_count') as bigint) as vote_count,
        _airbyte_emitted_at as extracted_at,
        kafka_offset,
        ingested_at as landed_at
    from source

)

select * from final
