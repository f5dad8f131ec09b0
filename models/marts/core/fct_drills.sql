-- the rows of int_drills_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_drills_facts') }}

),

final as (

    select
        drill_id,
        credit_code,
        organiser_type,
        unit_code,
        industry_code,
        organiser_unit_code,
        organiser_department_code,
        drill_type,
        month,
        quarter,
        half,
        year,
        participants,
        is_enterprise_drill,
        is_four_no,
        is_known_enterprise,
        drill_date,
        updated_at
    from source_rows

)

select * from final
