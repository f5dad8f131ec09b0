-- the rows of int_days_enumerated, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_days_enumerated') }}

),

final as (

    select
        date_day,
        month,
        quarter,
        half,
        year,
        month_of_year,
        quarter_of_year,
        half_of_year,
        month_day,
        is_on_or_before_as_of,
        is_month_end,
        is_quarter_end
    from source_rows

)

select * from final
