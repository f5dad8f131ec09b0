-- each monitoring record (enterprise × system) in its state as of D (SPEC §10.1: one record holds
-- one interval)
with

monitoring as (

    select * from {{ ref('stg_raw__monitoring') }}

),

current_versions as (

    {{ latest_version('monitoring', 'credit_code, system') }}

),

final as (

    select
        credit_code,
        system,
        is_connected,
        connected_date,
        disconnected_date,
        updated_at
    from current_versions

)

select * from final
