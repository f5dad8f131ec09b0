-- the rows of int_inspections_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_inspections_facts') }}

),

final as (

    select
        inspection_id,
        credit_code,
        unit_code,
        industry_code,
        department_code,
        enforcing_unit_code,
        attributed_department_code,
        method,
        campaign,
        month,
        quarter,
        year,
        hazards_found,
        major_hazards_found,
        is_non_site,
        is_case_opened,
        is_known_enterprise,
        inspection_date,
        updated_at
    from source_rows

)

select * from final
