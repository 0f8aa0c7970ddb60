with

credits as (

    select * from {{ ref('stg_tmdb__credits') }}

),

actors as (

    select distinct
        movie_id,
        person_id as actor_id,
        person_name as actor_name
    from credits
    where credit_type = 'cast'

),

directors as (

    select distinct
        movie_id,
        person_id as director_id,
        person_name as director_name
    from credits
    where is_director

),

final as (

    select
        actors.actor_id,
        -- one name per person, the same on every rebuild (as co_stars)
        max(actors.actor_name) as actor_name,
        directors.director_id,
        max(directors.director_name) as director_name,
        count(distinct actors.movie_id) as movies_together
    from actors
    inner join directors on directors.movie_id = actors.movie_id
    where actors.actor_id != directors.director_id
    group by actors.actor_id, directors.director_id

)

select * from final
