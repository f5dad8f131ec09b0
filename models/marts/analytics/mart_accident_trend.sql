-- 事故起数和死亡人数“双下降” (plan §一): one row per year × unit from 2024 to the as-of year,
-- every unit every year; like for like against the year before (see int_accidents_compared_by_year)
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

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

grid as (

    select
        years.year,
        years.year_start,
        years.year_as_of,
        units.unit_code
    from years
    cross join units

),

counted as (

    select
        grid.year,
        grid.unit_code,
        coalesce(compared.accidents, 0) as accidents,
        coalesce(compared.deaths, 0) as deaths,
        coalesce(compared.prev_accidents, 0) as prev_accidents,
        coalesce(compared.prev_deaths, 0) as prev_deaths,
        grid.year_start as span_start,
        grid.year_as_of as span_end
    from grid
    left join compared
        on
            grid.year = compared.year
            and grid.unit_code = compared.unit_code

),

final as (

    select
        year,
        unit_code,
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
    from counted

)

select * from final
