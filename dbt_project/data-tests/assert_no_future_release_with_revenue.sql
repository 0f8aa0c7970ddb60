-- A movie cannot have earned revenue before it is released.
select
    movie_id,
    release_date,
    revenue
from {{ ref('movie_metrics') }}
where release_date > current_date() and revenue > 0
