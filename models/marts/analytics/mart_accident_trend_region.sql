-- the region's “双下降” (T4): one row per year from 2024 to the as-of year, all accidents of the
-- region (whatever their unit), like for like as in mart_accident_trend
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

compared as (

    select * from {{ ref('int_accidents_compared_by_year') }}

),

years as (

    select distinct
        year,
        year_start,
        year_as_of
    from periods
    where year >= {{ plan_first_year() }}

),

summed as (

    select
        years.year,
        cast(coalesce(sum(compared.accidents), 0) as {{ bigint_type() }}) as accidents,
        cast(coalesce(sum(compared.deaths), 0) as {{ bigint_type() }}) as deaths,
        cast(coalesce(sum(compared.prev_accidents), 0) as {{ bigint_type() }}) as prev_accidents,
        cast(coalesce(sum(compared.prev_deaths), 0) as {{ bigint_type() }}) as prev_deaths,
        years.year_start as span_start,
        years.year_as_of as span_end
    from years
    left join compared
        on years.year = compared.year
    group by years.year, years.year_start, years.year_as_of

),

final as (

    select
        year,
        accidents,
        deaths,
        prev_accidents,
        prev_deaths,
        {{ is_decline_met('accidents', 'prev_accidents') }} as accidents_met,
        {{ is_decline_met('deaths', 'prev_deaths') }} as deaths_met,
        {{ is_decline_met('accidents', 'prev_accidents') }}
        and {{ is_decline_met('deaths', 'prev_deaths') }} as is_double_decline,
        span_end < {{ dbt.last_day('span_start', 'year') }} as is_partial_year,
        span_start,
        span_end
    from summed

)

select * from final
