-- one row per 处罚决定书 in its state as of D; counts in the quarter of its 决定日期, for its own unit
with

penalties as (

    select * from {{ ref('int_penalties_current') }}

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
        coalesce(department_code, lead_department_code) as attributed_department_code,
        penalty_kinds,
        {{ month_key('decided_date') }} as month,
        {{ quarter_key('decided_date') }} as quarter,
        {{ year_key('decided_date') }} as year,
        coalesce(fine_entity_yuan, 0) as fine_entity_yuan,
        coalesce(fine_person_yuan, 0) as fine_person_yuan,
        coalesce(fine_entity_yuan, 0) + coalesce(fine_person_yuan, 0) as fines_yuan,
        -- 一案双罚: the entity and a person both fined
        coalesce(fine_entity_yuan > 0 and fine_person_yuan > 0, false) as is_double_penalty,
        is_transferred_to_judiciary,
        inspection_id is not null as has_inspection,
        is_known_enterprise,
        decided_date,
        updated_at
    from penalties

)

select * from final
