with

industries as (

    select * from {{ ref('industries') }}

),

final as (

    select
        industry_code,
        industry_name,
        lead_department_code,
        sort_order,
        is_high_risk_industry
    from industries

)

select * from final
