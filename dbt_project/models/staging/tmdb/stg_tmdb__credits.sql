{{ config(materialized='incremental', incremental_strategy='merge', unique_key='credit_id') }}

with

source as (

    select * from {{ source('tmdb', 'credits') }}
    {{ landed_since_last_run() }}

),

parsed as (

    select
        from_json(
            _airbyte_data,
            'credit_id string, movie_id bigint, person_id bigint, credit_type string, name string,
             character string, job string, department string, `order` int, known_for_department string,
             gender int, popularity double, profile_path string'
        ) as credit,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('credit.credit_id') }} as version_rank
    from parsed

),

final as (

    select
        -- ids
        credit.credit_id,
        credit.movie_id,
        credit.person_id,

        -- strings
        lower(credit.credit_type) as credit_type,
        trim(credit.name) as person_name,
        nullif(trim(credit.character), '') as character_name,
        credit.job,
        credit.department,
        credit.known_for_department,
        nullif(credit.profile_path, '') as profile_path,

        -- numerics
        credit.`order` as cast_order,
        credit.popularity as person_popularity,

        -- booleans
        lower(credit.credit_type) = 'crew' and credit.job = 'Director' as is_director,

        -- timestamps
        _airbyte_emitted_at as extracted_at,
        ingested_at as landed_at,
        current_timestamp() as transformed_at

    from ranked
    where version_rank = 1

)

select * from final
