-- each training record's state as of D, placed in its enterprise's unit and industry (as of D);
-- whether the trainee is the enterprise's recorded 主要负责人 (NULL when no ID is recorded)
with

training as (

    select * from {{ ref('stg_raw__training') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

current_versions as (

    {{ latest_version('training', 'training_id') }}

),

final as (

    select
        current_versions.training_id,
        current_versions.person_hash,
        current_versions.credit_code,
        enterprises.unit_code,
        enterprises.industry_code,
        current_versions.person_role,
        current_versions.training_type,
        current_versions.special_work_type,
        current_versions.exam_result,
        current_versions.certificate_no,
        current_versions.hours,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        case
            when enterprises.principal_id_hash is not null
                then current_versions.person_hash = enterprises.principal_id_hash
        end as is_enterprise_principal,
        current_versions.training_date,
        current_versions.certificate_valid_until,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    where {{ is_known_as_of('current_versions.training_date') }}

)

select * from final
