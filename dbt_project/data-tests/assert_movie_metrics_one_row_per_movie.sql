-- Gold holds every movie of Silver exactly once (no movie lost or duplicated by the joins).
select movie_id from {{ ref('stg_tmdb__movie_details') }}
where movie_id not in (select movie_id from {{ ref('movie_metrics') }})
union all
select movie_id from {{ ref('movie_metrics') }} group by movie_id having count(*) > 1
