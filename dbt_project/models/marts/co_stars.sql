{#- Pairs of actors billed in the top 10 of the same movie, counted over all movies. -#}

with

top_billed as (

    select distinct
        movie_id,
        person_id,
        person_name
    from {{ ref('stg_tmdb__credits') }}
    where credit_type = 'cast' and cast_order < 10

),

final as (

    select
        a.person_id,
        b.person_id as co_star_id,
        -- a person credited under two names gets the same one on every rebuild (first() took
        -- whichever row came first, so a rebuild could rename them and the sync rewrite documents)
        max(b.person_name) as co_star_name,
        count(distinct a.movie_id) as movies_together
    from top_billed as a
    inner join top_billed as b on b.movie_id = a.movie_id and b.person_id != a.person_id
    group by a.person_id, b.person_id

)

select * from final
