-- enterprises in their state as of D; no personal data (the principal's ID hash stays in
-- intermediate: only whether one is recorded)
with

enterprises as (

    select * from {{ ref('int_enterprises_current') }}

),

final as (

    select
        credit_code,
        enterprise_name,
        unit_code,
        industry_code,
        scale,
        standardization_level,
        operating_status,
        is_active,
        is_high_risk,
        has_major_hazard_source,
        has_principal_id,
        updated_at
    from enterprises

)

select * from final
