with

movies as (

    select * from {{ ref('stg_tmdb__movie_details') }}

),

reviews as (

    select * from {{ ref('int_reviews_scored') }}

),

credits as (

    select * from {{ ref('stg_tmdb__credits') }}

),

review_summary as (

    select
        movie_id,
        count(*) as review_count,
        -- a decimal sum is exact, so the mean does not depend on the order Spark adds the reviews
        -- in (a double's last digit did, and a rebuild with nothing new changed Gold)
        cast(avg(cast(sentiment_score as decimal(16, 12))) as double) as sentiment_mean_score,
        avg(case when sentiment_label = 'positive' then 1.0 else 0.0 end) as sentiment_share_positive,
        avg(case when sentiment_label = 'negative' then 1.0 else 0.0 end) as sentiment_share_negative
    from reviews
    group by movie_id

),

top_cast as (

    select
        movie_id,
        transform(
            slice(
                array_sort(
                    collect_list(named_struct(
                        'cast_order', cast_order,
                        'person_id', person_id,
                        'name', person_name,
                        'character', character_name
                    ))
                ),
                1, 10
            ),
            c -> named_struct(
                'person_id', c.person_id, 'name', c.name, 'character', c.character, 'cast_order', c.cast_order
            )
        ) as top_cast
    from credits
    where credit_type = 'cast'
    group by movie_id

),

directors as (

    select
        movie_id,
        array_sort(collect_set(named_struct('person_id', person_id, 'name', person_name))) as directors
    from credits
    where is_director
    group by movie_id

),

final as (

    select
        -- ids
        movies.movie_id,
        movies.imdb_id,

        -- strings
        movies.title,
        movies.original_title,
        movies.original_language,
        movies.overview,
        movies.tagline,
        movies.status,
        movies.poster_path,
        movies.genres,
        movies.runtime_bucket,
        movies.popularity_tier,
        movies.rating_tier,
        case
            when review_summary.sentiment_mean_score is null then null
            when review_summary.sentiment_mean_score > 0.2 then 'positive'
            when review_summary.sentiment_mean_score < -0.2 then 'negative'
            else 'neutral'
        end as sentiment_label,

        -- numerics
        movies.release_year,
        movies.release_decade,
        movies.runtime_minutes,
        coalesce(movies.budget, 0) as budget,
        coalesce(movies.revenue, 0) as revenue,
        movies.profit,
        movies.roi,
        movies.popularity,
        movies.vote_average,
        movies.vote_count,
        coalesce(review_summary.review_count, 0) as review_count,
        review_summary.sentiment_mean_score,
        review_summary.sentiment_share_positive,
        review_summary.sentiment_share_negative,
        -- TMDB's 0..10 rating mapped to -1..1 against what reviewers' words say
        abs((movies.vote_average / 5.0 - 1.0) - review_summary.sentiment_mean_score) as rating_sentiment_gap,

        -- booleans
        movies.is_adult,

        -- dates
        movies.release_date,

        -- nested
        coalesce(top_cast.top_cast, array()) as top_cast,
        coalesce(directors.directors, array()) as directors,

        -- timestamps
        movies.extracted_at as updated_at

    from movies
    left join review_summary on review_summary.movie_id = movies.movie_id
    left join top_cast on top_cast.movie_id = movies.movie_id
    left join directors on directors.movie_id = movies.movie_id

)

select * from final
