-- one row per quarter evaluated (SPEC §7, §9): 2024Q1 (2023 serves as the year before) to the
-- as-of quarter. period_end is the quarter's last day, or D when the quarter has not ended yet
-- ("a quarter not yet ended is evaluated as of D"); the year-to-date span of I5/I7 runs from
-- year_start to period_end and is compared with the same span a year before.
with

dates as (

    select * from {{ ref('int_days_enumerated') }}

),

quarters as (

    select
        quarter,
        year,
        quarter_of_year,
        min(date_day) as quarter_start,
        max(date_day) as quarter_end
    from dates
    where year >= {{ plan_first_year() }}
    group by quarter, year, quarter_of_year

),

bounded as (

    select
        quarter,
        year,
        quarter_of_year,
        quarter_start,
        quarter_end,
        least(quarter_end, {{ as_of_date() }}) as period_end,
        cast({{ dbt.date_trunc('year', 'quarter_start') }} as date) as year_start
    from quarters
    where quarter_start <= {{ as_of_date() }}

),

final as (

    select
        quarter,
        year,
        quarter_of_year,
        lag(quarter) over (order by quarter_start nulls last) as previous_quarter,
        quarter_end <= {{ as_of_date() }} as is_complete,
        quarter_start,
        quarter_end,
        period_end,
        year_start,
        cast({{ dbt.dateadd('year', -1, 'year_start') }} as date) as previous_year_start,
        -- like for like: Jan 1 → the same month-day a year before (29 Feb → 28 Feb)
        cast({{ dbt.dateadd('year', -1, 'period_end') }} as date) as previous_year_period_end
    from bounded

)

select * from final
