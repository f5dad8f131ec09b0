-- accidents and deaths per year × unit from 2024 to the as-of year, each against the same
-- calendar span of the year before (SPEC §9 "Like-for-like"): a finished year whole against the
-- whole year before; the as-of year Jan 1 → D against Jan 1 → the same month-day a year before.
-- Only unit/year pairs with an accident in either span appear (the marts build the grid).
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

accidents as (

    select * from {{ ref('int_accidents_facts') }}

),

spans as (

    select distinct
        year,
        year_start as span_start,
        year_as_of as span_end,
        cast({{ dbt.dateadd('year', -1, 'year_start') }} as date) as prev_span_start,
        -- 2024-02-29 a year before is 2023-02-28
        cast({{ dbt.dateadd('year', -1, 'year_as_of') }} as date) as prev_span_end
    from periods
    where year >= {{ plan_first_year() }}

),

current_span as (

    select
        spans.year,
        accidents.unit_code,
        count(*) as accidents,
        cast(sum(accidents.deaths) as {{ bigint_type() }}) as deaths
    from spans
    inner join accidents
        on accidents.occurred_date between spans.span_start and spans.span_end
    group by spans.year, accidents.unit_code

),

previous_span as (

    select
        spans.year,
        accidents.unit_code,
        count(*) as prev_accidents,
        cast(sum(accidents.deaths) as {{ bigint_type() }}) as prev_deaths
    from spans
    inner join accidents
        on accidents.occurred_date between spans.prev_span_start and spans.prev_span_end
    group by spans.year, accidents.unit_code

),

final as (

    select
        coalesce(current_span.year, previous_span.year) as year,
        coalesce(current_span.unit_code, previous_span.unit_code) as unit_code,
        coalesce(current_span.accidents, 0) as accidents,
        coalesce(current_span.deaths, 0) as deaths,
        coalesce(previous_span.prev_accidents, 0) as prev_accidents,
        coalesce(previous_span.prev_deaths, 0) as prev_deaths
    from current_span
    full outer join previous_span
        on
            current_span.year = previous_span.year
            and current_span.unit_code is not distinct from previous_span.unit_code

)

select * from final
