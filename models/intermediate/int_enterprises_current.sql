-- the state of each enterprise as of D: its latest version with updated_at <= D
with

enterprises as (

    select * from {{ ref('stg_raw__enterprises') }}

),

industries as (

    select * from {{ ref('industries') }}

),

current_versions as (

    {{ latest_version('enterprises', 'credit_code') }}

),

final as (

    select
        current_versions.credit_code,
        current_versions.enterprise_name,
        current_versions.unit_code,
        industries.industry_code,
        current_versions.scale,
        current_versions.standardization_level,
        current_versions.operating_status,
        current_versions.principal_id_hash,
        current_versions.is_high_risk,
        current_versions.has_major_hazard_source,
        current_versions.is_confined_space,
        current_versions.is_explosive_dust,
        current_versions.dust_workers,
        current_versions.is_ammonia_refrigeration,
        current_versions.is_oil_gas_storage,
        current_versions.open_pit_slope_m,
        current_versions.risk_level,
        current_versions.standardization_date,
        {{ enterprise_is_active('current_versions.operating_status') }} as is_active,
        current_versions.principal_id_hash is not null as has_principal_id,
        current_versions.updated_at
    from current_versions
    left join industries
        on current_versions.industry_name = industries.industry_name

)

select * from final
