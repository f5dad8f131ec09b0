-- the rows of int_penalties_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_penalties_facts') }}

),

final as (

    select
        penalty_id,
        inspection_id,
        credit_code,
        unit_code,
        industry_code,
        department_code,
        enforcing_unit_code,
        attributed_department_code,
        penalty_kinds,
        month,
        quarter,
        year,
        fine_entity_yuan,
        fine_person_yuan,
        fines_yuan,
        is_double_penalty,
        is_transferred_to_judiciary,
        has_inspection,
        is_known_enterprise,
        decided_date,
        updated_at
    from source_rows

)

select * from final
