-- each accident's state as of D, its unit / industry its own or else its enterprise's (as of D),
-- its type placed in GB 6441-1986 or -2025 and the reporting group that spans both
with

accidents as (

    select * from {{ ref('stg_raw__accidents') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

industries as (

    select * from {{ ref('industries') }}

),

accident_types as (

    select * from {{ ref('accident_types') }}

),

current_versions as (

    {{ latest_version('accidents', 'accident_id') }}

),

type_candidates as (

    select
        current_versions.accident_id,
        accident_types.standard as accident_type_standard,
        accident_types.reporting_group,
        case
            when
                (accident_types.standard = 'GB 6441-2025')
                = (current_versions.occurred_at >= cast('2026-07-01' as timestamp))
                then 0
            else 1
        end as standard_preference
    from current_versions
    inner join accident_types
        on current_versions.accident_type = accident_types.accident_type

),

-- a name in both standards takes the one in force on the day: GB 6441-2025 from 2026-07-01
-- (the standard's name breaks a tie, e.g. an unknown time of day)
typed as (

    {{ keep_first(
        'type_candidates',
        'accident_id',
        'standard_preference, accident_type_standard nulls last'
    ) }}

),

resolved as (

    select
        current_versions.accident_id,
        current_versions.credit_code,
        coalesce(current_versions.unit_code, enterprises.unit_code) as unit_code,
        coalesce(industries.industry_code, enterprises.industry_code) as industry_code,
        current_versions.accident_type,
        typed.accident_type_standard,
        typed.reporting_group,
        current_versions.grade_reported,
        current_versions.deaths_excl_missing,
        current_versions.missing,
        current_versions.serious_injuries,
        current_versions.minor_injuries,
        current_versions.direct_loss_10k_yuan,
        current_versions.is_liability,
        current_versions.is_concealed,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        current_versions.investigation_closed_date,
        current_versions.occurred_at,
        current_versions.reported_at,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    left join industries
        on current_versions.industry_name = industries.industry_name
    left join typed
        on current_versions.accident_id = typed.accident_id
    -- an accident after D is not known as of D
    where {{ is_known_as_of('current_versions.occurred_at') }}

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
