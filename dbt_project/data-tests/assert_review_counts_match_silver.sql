-- The review count in movie_metrics equals the scored reviews in Silver for the same movie.
with counted as (
    select
        movie_id,
        count(*) as reviews
    from {{ ref('int_reviews_scored') }}
    group by movie_id
)

select
    metrics.movie_id,
    metrics.review_count,
    counted.reviews
from {{ ref('movie_metrics') }} as metrics
left join counted on counted.movie_id = metrics.movie_id
where metrics.review_count != coalesce(counted.reviews, 0)
