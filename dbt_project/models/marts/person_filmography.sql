with

people as (

    select * from {{ ref('stg_tmdb__people') }}

),

credits as (

    select * from {{ ref('stg_tmdb__credits') }}

),

movies as (

    select
        movie_id,
        title,
        release_year,
        vote_average
    from {{ ref('stg_tmdb__movie_details') }}

),

roles as (

    select
        credits.person_id,
        named_struct(
            'movie_id', credits.movie_id,
            'title', movies.title,
            'release_year', movies.release_year,
            'credit_type', credits.credit_type,
            'role', coalesce(credits.character_name, credits.job),
            'vote_average', movies.vote_average
        ) as credit
    from credits
    inner join movies on movies.movie_id = credits.movie_id

),

filmographies as (

    select
        person_id,
        count(distinct credit.movie_id) as movie_count,
        -- newest first, undated films last; ties by movie, then role, so the order is total (a
        -- comparator that is not, e.g. two undated films, makes Java's sort fail on large lists)
        array_sort(
            collect_list(credit),
            (a, b) -> case
                when a.release_year is null and b.release_year is not null then 1
                when a.release_year is not null and b.release_year is null then -1
                when a.release_year > b.release_year then -1
                when a.release_year < b.release_year then 1
                when a.movie_id < b.movie_id then -1
                when a.movie_id > b.movie_id then 1
                when a.credit_type < b.credit_type then -1
                when a.credit_type > b.credit_type then 1
                when coalesce(a.role, '') < coalesce(b.role, '') then -1
                when coalesce(a.role, '') > coalesce(b.role, '') then 1
                else 0
            end
        ) as filmography
    from roles
    group by person_id

),

final as (

    select
        people.person_id,
        people.name,
        people.known_for_department,
        people.popularity,
        people.profile_path,
        people.birthday,
        filmographies.movie_count,
        filmographies.filmography
    from people
    inner join filmographies on filmographies.person_id = people.person_id

)

select * from final
