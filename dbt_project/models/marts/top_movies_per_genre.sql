{#- IMDb-style weighted rating, so that 3 votes of 10 do not beat 30,000 votes of 8.5:
    (v / (v + m)) * R + (m / (v + m)) * C, m = 100 votes, C = the mean rating of rated movies. -#}

with

movies as (

    select * from {{ ref('movie_metrics') }}

),

mean_rating as (

    -- exact (decimal) sum: the same movies give the same average whatever order Spark adds them in
    select cast(avg(cast(vote_average as decimal(18, 9))) as double) as overall_average
    from movies
    where vote_count >= 10

),

weighted as (

    select
        movies.movie_id,
        movies.title,
        -- the lateral view's column: there is no table to qualify it with
        genre,  -- noqa: RF02
        (
            (movies.vote_count / (movies.vote_count + 100.0)) * movies.vote_average
            + (100.0 / (movies.vote_count + 100.0)) * mean_rating.overall_average
        ) as weighted_rating
    from movies
    cross join mean_rating
        lateral view explode(movies.genres) as genre

),

ranked as (

    select
        *,
        cast(row_number() over (partition by genre order by weighted_rating desc, movie_id asc) as int)
            as genre_rank
    from weighted

),

final as (

    select
        genre,
        genre_rank,
        movie_id,
        title,
        round(weighted_rating, 3) as weighted_rating
    from ranked
    where genre_rank <= 20

)

select * from final
