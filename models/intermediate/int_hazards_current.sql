-- each hazard's state as of D, its unit / industry its own or else its enterprise's (as of D)
with

hazards as (

    select * from {{ ref('stg_raw__hazards') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

industries as (

    select * from {{ ref('industries') }}

),

department_names as (

    select * from {{ ref('int_department_names') }}

),

current_versions as (

    {{ latest_version('hazards', 'hazard_id') }}

),

resolved as (

    select
        current_versions.hazard_id,
        current_versions.credit_code,
        coalesce(current_versions.unit_code, enterprises.unit_code) as unit_code,
        coalesce(own_industry.industry_code, enterprises.industry_code) as industry_code,
        department_names.department_code,
        current_versions.hazard_source,
        current_versions.level,
        current_versions.category,
        current_versions.campaign,
        current_versions.description,
        current_versions.status,
        current_versions.supervision_level,
        current_versions.funds_10k_yuan,
        current_versions.is_listed_supervision,
        current_versions.supervision_measures,
        current_versions.supervision_date,
        current_versions.verification_method,
        current_versions.verified_date,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        current_versions.found_date,
        current_versions.deadline,
        current_versions.rectified_date,
        current_versions.closed_date,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    left join industries as own_industry
        on current_versions.industry_name = own_industry.industry_name
    left join department_names
        on current_versions.department_name = department_names.name
    -- a hazard found after D is not known as of D
    where {{ is_known_as_of('current_versions.found_date') }}

),

final as (

    select
        resolved.*,
        industries.lead_department_code
    from resolved
    left join industries
        on resolved.industry_code = industries.industry_code

)

select * from final
