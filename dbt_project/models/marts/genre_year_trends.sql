with

movies as (

    select * from {{ ref('movie_metrics') }}

),

by_genre as (

    select
        movie_id,
        release_year,
        vote_average,
        vote_count,
        popularity,
        revenue,
        sentiment_mean_score,
        genre
    from movies
        lateral view explode(genres) as genre
    where release_year is not null

),

final as (

    select
        genre,
        release_year,
        count(*) as movie_count,
        round(avg(case when vote_count >= 10 then vote_average end), 3) as avg_vote_average,
        round(avg(popularity), 3) as avg_popularity,
        cast(sum(revenue) as bigint) as total_revenue,
        round(avg(sentiment_mean_score), 4) as avg_sentiment_score
    from by_genre
    group by genre, release_year

)

select * from final
