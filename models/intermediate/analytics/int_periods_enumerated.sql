-- one row per calendar month from the data's start (2023-01) to the as-of month, with its
-- quarter and year; each period's `*_as_of` is its last day, or D when it has not ended yet
with

dates as (

    select * from {{ ref('int_days_enumerated') }}

),

months as (

    select
        month,
        quarter,
        year,
        min(date_day) as month_start
    from dates
    where
        date_day >= {{ data_start_date() }}
        and date_day <= {{ as_of_date() }}
    group by month, quarter, year

),

bounds as (

    select
        month,
        quarter,
        year,
        month_start,
        cast({{ dbt.date_trunc('quarter', 'month_start') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'month_start') }} as date) as year_start,
        {{ dbt.last_day('month_start', 'month') }} as month_end,
        {{ dbt.last_day('month_start', 'quarter') }} as quarter_end,
        {{ dbt.last_day('month_start', 'year') }} as year_end
    from months

),

final as (

    select
        month,
        quarter,
        year,
        month_start,
        month_end,
        least(month_end, {{ as_of_date() }}) as month_as_of,
        quarter_start,
        quarter_end,
        least(quarter_end, {{ as_of_date() }}) as quarter_as_of,
        year_start,
        year_end,
        least(year_end, {{ as_of_date() }}) as year_as_of
    from bounds

)

select * from final
