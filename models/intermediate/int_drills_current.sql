-- each drill's state as of D. A drill organised by a 镇街 belongs to that unit; one by a 区直部门
-- to that department (and to its own 所属镇街 if given); an enterprise's drill to its own unit,
-- else its enterprise's (as of D).
with

drills as (

    select * from {{ ref('stg_raw__drills') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

current_versions as (

    {{ latest_version('drills', 'drill_id') }}

),

final as (

    select
        current_versions.drill_id,
        current_versions.credit_code,
        current_versions.organiser_type,
        case
            when current_versions.organiser_type = '镇街'
                then coalesce(current_versions.organiser_unit_code, current_versions.unit_code)
            else coalesce(current_versions.unit_code, enterprises.unit_code)
        end as unit_code,
        enterprises.industry_code,
        current_versions.organiser_unit_code,
        current_versions.organiser_department_code,
        current_versions.drill_type,
        current_versions.participants,
        current_versions.is_four_no,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        current_versions.drill_date,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    where {{ is_known_as_of('current_versions.drill_date') }}

)

select * from final
