-- the rows of int_reports_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_reports_facts') }}

),

final as (

    select
        report_id,
        credit_code,
        unit_code,
        industry_code,
        channel,
        verification,
        month,
        quarter,
        year,
        reward_yuan,
        involves_major_hazard,
        is_anonymous,
        is_verified,
        has_feedback,
        is_known_enterprise,
        received_date,
        feedback_date,
        updated_at
    from source_rows

)

select * from final
