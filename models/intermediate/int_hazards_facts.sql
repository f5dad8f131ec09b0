-- one row per hazard in its state as of D, with the as-of rules of SPEC §9 "Hazards"
with

hazards as (

    select * from {{ ref('int_hazards_current') }}

),

escalation_bands as (

    select * from {{ ref('escalation_bands') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

rectification as (

    select
        *,
        {{ hazard_is_rectified_as_of_d('status', 'rectified_date') }} as is_rectified
    from hazards

),

overdue as (

    select
        *,
        -- the deadline day itself is not overdue; no deadline is never overdue
        coalesce(not is_rectified and deadline < {{ as_of_date() }}, false) as is_overdue
    from rectification

),

flagged as (

    select
        overdue.*,
        case
            when overdue.is_overdue
                then cast({{ dbt.datediff('overdue.deadline', as_of_date(), 'day') }} as bigint)
            else 0
        end as overdue_days,
        case
            when overdue.is_rectified then overdue.rectified_date <= overdue.deadline
        end as rectified_on_time
    from overdue

),

final as (

    select
        flagged.hazard_id,
        flagged.credit_code,
        flagged.unit_code,
        flagged.industry_code,
        flagged.department_code,
        coalesce(flagged.department_code, flagged.lead_department_code)
            as attributed_department_code,
        flagged.level,
        flagged.hazard_source as source,
        flagged.category,
        flagged.campaign,
        flagged.description,
        flagged.status,
        flagged.supervision_level,
        escalation_bands.escalation,
        escalation_bands.band_order as escalation_order,
        {{ month_key('flagged.found_date') }} as month,
        {{ quarter_key('flagged.found_date') }} as quarter,
        {{ year_key('flagged.found_date') }} as year,
        {{ month_key('flagged.rectified_date') }} as rectified_month,
        {{ quarter_key('flagged.rectified_date') }} as rectified_quarter,
        flagged.funds_10k_yuan,
        flagged.overdue_days,
        flagged.level = '重大隐患' as is_major,
        flagged.is_rectified,
        flagged.is_overdue,
        flagged.rectified_on_time,
        -- 存量 (T1): found on or before the seeded cut-off (2023-12-31)
        flagged.found_date <= parameters.stock_cutoff_date as is_stock_2023,
        flagged.is_listed_supervision,
        flagged.is_known_enterprise,
        flagged.found_date,
        flagged.deadline,
        flagged.rectified_date,
        -- 整改完成日期 where the state as of D is rectified: "rectified by t" = this <= t
        case when flagged.is_rectified then flagged.rectified_date end as rectified_as_of_date,
        flagged.closed_date,
        flagged.updated_at
    from flagged
    cross join parameters
    -- escalation (seed bands by overdue days) applies to 重大隐患 only
    left join escalation_bands
        on {{ hazard_in_escalation_band(
            "flagged.level = '重大隐患'", 'flagged.overdue_days', 'escalation_bands'
        ) }}

)

select * from final
