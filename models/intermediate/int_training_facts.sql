-- one row per training record in its state as of D. person_key is the salted hash of the ID
-- number (never the number): it counts distinct people; nothing else personal is kept.
with

training as (

    select * from {{ ref('int_training_current') }}

),

certified as (

    select
        *,
        -- 特种作业 certificates: valid 6 years, 复审 every 3 years → the review falls 3 years
        -- before the validity end
        cast({{ dbt.dateadd('year', -3, 'certificate_valid_until') }} as date)
            as certificate_review_date
    from training

),

final as (

    select
        training_id,
        person_hash as person_key,
        credit_code,
        unit_code,
        industry_code,
        person_role,
        training_type,
        special_work_type,
        exam_result,
        {{ month_key('training_date') }} as month,
        {{ quarter_key('training_date') }} as quarter,
        {{ year_key('training_date') }} as year,
        hours,
        exam_result = '合格' as is_passed,
        coalesce(
            training_type = '主要负责人专题培训'
            and person_role = '主要负责人'
            and exam_result = '合格',
            false
        ) as is_principal_training_passed,
        is_enterprise_principal,
        certificate_no is not null as has_certificate,
        is_known_enterprise,
        training_date,
        certificate_valid_until,
        certificate_review_date,
        -- the next due date as of D: the 复审 if not yet past, else the validity end
        case
            when certificate_review_date >= {{ as_of_date() }} then certificate_review_date
            else certificate_valid_until
        end as certificate_next_due_date,
        updated_at
    from certified

)

select * from final
