-- 重大事故隐患台账: one row per 重大隐患 known as of D, with its enterprise, the escalation step
-- (函告 / 通报 / 约谈 / 曝光, plan §二.4) by days overdue — bands in seed escalation_bands, for every
-- open overdue 重大隐患 listed or not, as fct_hazards bands it — and how long it has been open
-- and in its current status
with

hazards as (

    select * from {{ ref('fct_hazards') }}

),

enterprises as (

    select * from {{ ref('dim_enterprise') }}

),

status_spans as (

    select * from {{ ref('int_hazard_status_spans') }}

),

-- the supervision taken and the closing verification (SPEC §10.3, §10.5 "Ledger")
supervision as (

    select * from {{ ref('int_hazards_current') }}

),

escalation_bands as (

    select * from {{ ref('escalation_bands') }}

),

major_hazards as (

    select * from hazards
    where is_major

),

current_spans as (

    select
        hazard_id,
        valid_from as current_status_since
    from status_spans
    where is_current

),

final as (

    select
        major_hazards.hazard_id,
        major_hazards.credit_code,
        major_hazards.unit_code,
        major_hazards.industry_code,
        major_hazards.department_code,
        enterprises.enterprise_name,
        major_hazards.level,
        major_hazards.source,
        major_hazards.category,
        major_hazards.campaign,
        major_hazards.description,
        major_hazards.status,
        major_hazards.supervision_level,
        coalesce(major_hazards.escalation, '无') as escalation,
        coalesce(major_hazards.escalation_order, 0) as escalation_order,
        major_hazards.funds_10k_yuan,
        major_hazards.overdue_days,
        {{ dbt.datediff(
            'major_hazards.found_date',
            'case when major_hazards.is_rectified then major_hazards.rectified_date else '
                ~ as_of_date() ~ ' end',
            'day'
        ) }} as days_open,
        {{ dbt.datediff(
            'cast(current_spans.current_status_since as date)', as_of_date(), 'day'
        ) }} as days_in_current_status,
        major_hazards.is_major,
        major_hazards.is_rectified,
        major_hazards.is_overdue,
        major_hazards.rectified_on_time,
        major_hazards.is_stock_2023,
        major_hazards.is_listed_supervision,
        major_hazards.found_date,
        major_hazards.deadline,
        major_hazards.rectified_date,
        major_hazards.closed_date,
        current_spans.current_status_since,
        major_hazards.updated_at,
        case
            when supervision.supervision_measures = '' then '无'
            else supervision.supervision_measures
        end as escalation_taken,
        coalesce(major_hazards.escalation, '无') as escalation_due,
        {{ is_escalation_behind(
            'major_hazards.escalation_order',
            'supervision.supervision_measures',
            escalation_taken_order('supervision.supervision_measures', 'escalation_bands')
        ) }} as is_escalation_behind,
        supervision.supervision_date,
        supervision.verification_method as verification,
        supervision.verified_date,
        {{ is_closed_unverified('major_hazards.status', 'supervision.verification_method') }}
            as is_closed_unverified
    from major_hazards
    left join enterprises
        on major_hazards.credit_code = enterprises.credit_code
    left join current_spans
        on major_hazards.hazard_id = current_spans.hazard_id
    left join supervision
        on major_hazards.hazard_id = supervision.hazard_id

)

select * from final
