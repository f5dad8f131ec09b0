-- every day from the data's start (2023-01-01, the year before the plan's) to the end of the
-- as-of year
with

days as (

    {{ day_spine(
        data_start_date(),
        dbt.dateadd('year', 1, dbt.date_trunc('year', as_of_date()))
    ) }}

),

final as (

    select
        date_day,
        {{ month_key('date_day') }} as month,
        {{ quarter_key('date_day') }} as quarter,
        {{ half_key('date_day') }} as half,
        {{ year_key('date_day') }} as year,
        cast(month(date_day) as {{ dbt.type_int() }}) as month_of_year,
        cast(quarter(date_day) as {{ dbt.type_int() }}) as quarter_of_year,
        case when month(date_day) <= 6 then 1 else 2 end as half_of_year,
        concat(
            lpad(cast(month(date_day) as {{ dbt.type_string() }}), 2, '0'),
            '-',
            lpad(cast(day(date_day) as {{ dbt.type_string() }}), 2, '0')
        ) as month_day,
        date_day <= {{ as_of_date() }} as is_on_or_before_as_of,
        date_day = {{ dbt.last_day('date_day', 'month') }} as is_month_end,
        date_day = {{ dbt.last_day('date_day', 'quarter') }} as is_quarter_end
    from days

)

select * from final
