-- the rows of int_accidents_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_accidents_facts') }}

),

final as (

    select
        accident_id,
        credit_code,
        unit_code,
        industry_code,
        lead_department_code,
        accident_type,
        accident_type_standard,
        reporting_group,
        grade,
        grade_reported,
        month,
        quarter,
        year,
        grade_rank,
        deaths,
        deaths_excl_missing,
        missing,
        serious_injuries,
        minor_injuries,
        direct_loss_10k_yuan,
        report_delay_minutes,
        grade_mismatch,
        is_late_report,
        is_concealed,
        is_liability,
        is_larger_or_above,
        is_investigation_overdue,
        is_known_enterprise,
        occurred_date,
        investigation_due_date,
        investigation_closed_date,
        occurred_at,
        reported_at,
        updated_at
    from source_rows

)

select * from final
