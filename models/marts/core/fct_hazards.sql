-- the rows of int_hazards_facts, published (the logic lives there, below the marts, so that
-- intermediate models share it without reading a mart)
with

source_rows as (

    select * from {{ ref('int_hazards_facts') }}

),

final as (

    select
        hazard_id,
        credit_code,
        unit_code,
        industry_code,
        department_code,
        attributed_department_code,
        level,
        source,
        category,
        campaign,
        description,
        status,
        supervision_level,
        escalation,
        escalation_order,
        month,
        quarter,
        year,
        rectified_month,
        rectified_quarter,
        funds_10k_yuan,
        overdue_days,
        is_major,
        is_rectified,
        is_overdue,
        rectified_on_time,
        is_stock_2023,
        is_listed_supervision,
        is_known_enterprise,
        found_date,
        deadline,
        rectified_date,
        rectified_as_of_date,
        closed_date,
        updated_at
    from source_rows

)

select * from final
