-- one row per inspection in its state as of D
with

inspections as (

    select * from {{ ref('int_inspections_current') }}

),

final as (

    select
        inspection_id,
        credit_code,
        unit_code,
        industry_code,
        department_code,
        enforcing_unit_code,
        coalesce(department_code, lead_department_code) as attributed_department_code,
        method,
        campaign,
        {{ month_key('inspection_date') }} as month,
        {{ quarter_key('inspection_date') }} as quarter,
        {{ year_key('inspection_date') }} as year,
        hazards_found,
        major_hazards_found,
        method = '非现场执法' as is_non_site,
        is_case_opened,
        is_known_enterprise,
        inspection_date,
        updated_at
    from inspections

)

select * from final
