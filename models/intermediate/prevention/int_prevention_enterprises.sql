-- every enterprise in its state as of D with the columns the prevention rules read (SPEC §10.5:
-- unit, industry, scale and the optional §10.1 columns come from the state as of D)
with

enterprises as (

    select * from {{ ref('int_enterprises_current') }}

),

industries as (

    select * from {{ ref('industries') }}

),

final as (

    select
        enterprises.credit_code,
        enterprises.enterprise_name,
        enterprises.unit_code,
        enterprises.industry_code,
        industries.industry_name,
        enterprises.scale,
        enterprises.is_high_risk,
        enterprises.has_major_hazard_source,
        enterprises.standardization_level,
        enterprises.is_explosive_dust,
        enterprises.dust_workers,
        enterprises.is_ammonia_refrigeration,
        enterprises.is_oil_gas_storage,
        enterprises.open_pit_slope_m,
        enterprises.risk_level,
        enterprises.standardization_date
    from enterprises
    left join industries
        on enterprises.industry_code = industries.industry_code

)

select * from final
