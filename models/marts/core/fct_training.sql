-- the rows of int_training_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_training_facts') }}

),

final as (

    select
        training_id,
        person_key,
        credit_code,
        unit_code,
        industry_code,
        person_role,
        training_type,
        special_work_type,
        exam_result,
        month,
        quarter,
        year,
        hours,
        is_passed,
        is_principal_training_passed,
        is_enterprise_principal,
        has_certificate,
        is_known_enterprise,
        training_date,
        certificate_valid_until,
        certificate_review_date,
        certificate_next_due_date,
        updated_at
    from source_rows

)

select * from final
