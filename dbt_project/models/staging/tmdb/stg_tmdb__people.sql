{{ config(materialized='incremental', incremental_strategy='merge', unique_key='person_id') }}

with

source as (

    select * from {{ source('tmdb', 'people') }}
    {{ landed_since_last_run() }}

),

parsed as (

    select
        from_json(
            _airbyte_data,
            'id bigint, imdb_id string, name string, also_known_as array<string>, biography string,
             birthday string, deathday string, place_of_birth string, gender int,
             known_for_department string, popularity double, profile_path string, adult boolean'
        ) as person,
        _airbyte_emitted_at,
        kafka_offset,
        ingested_at
    from source

),

ranked as (

    select
        *,
        {{ version_rank('person.id') }} as version_rank
    from parsed

),

final as (

    select
        -- ids
        person.id as person_id,
        nullif(person.imdb_id, '') as imdb_id,

        -- strings
        trim(person.name) as name,
        person.also_known_as,
        nullif(trim(person.biography), '') as biography,
        nullif(trim(person.place_of_birth), '') as place_of_birth,
        person.known_for_department,
        case person.gender when 1 then 'female' when 2 then 'male' when 3 then 'non-binary' else 'unknown' end
            as gender,
        nullif(person.profile_path, '') as profile_path,

        -- numerics
        person.popularity,

        -- booleans
        coalesce(person.adult, false) as is_adult,
        nullif(trim(person.biography), '') is null as has_missing_biography,

        -- dates
        {{ tmdb_date('person.birthday') }} as birthday,
        {{ tmdb_date('person.deathday') }} as deathday,

        -- timestamps
        _airbyte_emitted_at as extracted_at,
        ingested_at as landed_at,
        current_timestamp() as transformed_at

    from ranked
    where version_rank = 1

)

select * from final
