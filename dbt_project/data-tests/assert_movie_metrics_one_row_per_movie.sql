-- Gold holds every movie of Silver exactly once (no movie lost or duplicated by the joins).
select silver.movie_id from {{ ref('stg_tmdb__movie_details') }} as silver
where silver.movie_id not in (select gold.movie_id from {{ ref('movie_metrics') }} as gold)
union all
select movie_id from {{ ref('movie_metrics') }}
group by movie_id
having count(*) > 1
