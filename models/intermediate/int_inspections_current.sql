-- each inspection's state as of D: unit its own or else its enterprise's, industry its
-- enterprise's (inspections carry none); the enforcer a seed department or a unit (镇街 执法)
with

inspections as (

    select * from {{ ref('stg_raw__inspections') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

industries as (

    select * from {{ ref('industries') }}

),

enforcer_names as (

    select * from {{ ref('int_enforcer_names') }}

),

current_versions as (

    {{ latest_version('inspections', 'inspection_id') }}

),

final as (

    select
        current_versions.inspection_id,
        current_versions.credit_code,
        coalesce(current_versions.unit_code, enterprises.unit_code) as unit_code,
        enterprises.industry_code,
        industries.lead_department_code,
        enforcer_names.department_code,
        enforcer_names.enforcing_unit_code,
        current_versions.method,
        current_versions.campaign,
        current_versions.hazards_found,
        current_versions.major_hazards_found,
        current_versions.is_case_opened,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        current_versions.inspection_date,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    left join industries
        on enterprises.industry_code = industries.industry_code
    left join enforcer_names
        on current_versions.enforcer_name = enforcer_names.name
    where {{ is_known_as_of('current_versions.inspection_date') }}

)

select * from final
