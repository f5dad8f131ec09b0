-- SPEC §9 "Hazards": the as-of flags agree with each other and with D
with

hazards as (

    select * from {{ ref('fct_hazards') }}

),

parameters as (

    select * from {{ ref('target_parameters') }}
    where parameter_name = 'stock_cutoff_date'

),

final as (

    select
        hazard_id,
        status,
        is_rectified,
        is_overdue,
        overdue_days
    from hazards
    where
        found_date > {{ as_of_date() }}
        or (is_rectified and (status not in ('已整改', '已销号') or rectified_date > {{ as_of_date() }}))
        or (is_overdue and (is_rectified or deadline >= {{ as_of_date() }} or overdue_days <= 0))
        or (not is_overdue and overdue_days != 0)
        or (is_overdue and overdue_days != {{ dbt.datediff('deadline', as_of_date(), 'day') }})
        or (rectified_on_time is not null and not is_rectified)
        or (is_major != (level = '重大隐患'))
        or (
            is_stock_2023
            != (found_date <= (select cast(parameters.parameter_value as date) from parameters))
        )
        or (is_major and escalation is null)
        or (not is_major and escalation is not null)

)

select * from final
