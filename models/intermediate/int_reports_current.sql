-- each report's state as of D (no reporter fields: only is_anonymous), its unit its own or else
-- the reported enterprise's (as of D)
with

reports as (

    select * from {{ ref('stg_raw__reports') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_last_state') }}

),

current_versions as (

    {{ latest_version('reports', 'report_id') }}

),

final as (

    select
        current_versions.report_id,
        current_versions.credit_code,
        coalesce(current_versions.unit_code, enterprises.unit_code) as unit_code,
        enterprises.industry_code,
        current_versions.channel,
        current_versions.verification,
        current_versions.reward_yuan,
        current_versions.involves_major_hazard,
        current_versions.is_anonymous,
        coalesce(not enterprises.is_deleted, false) as is_known_enterprise,
        current_versions.received_date,
        current_versions.feedback_date,
        current_versions.updated_at
    from current_versions
    left join enterprises
        on current_versions.credit_code = enterprises.credit_code
    where {{ is_known_as_of('current_versions.received_date') }}

)

select * from final
