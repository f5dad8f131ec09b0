-- 考评办法: the evaluation method as the seeds state it (SPEC §7), for the 通报 and the app —
-- one row per indicator of each scope (with its weight) and per deduction or veto rule, so every
-- export reads the method from the warehouse, never from code.
with

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

deductions as (

    select * from {{ ref('evaluation_deductions') }}

),

final as (

    select
        scope,
        'indicator' as item_type,
        indicator_id as item_id,
        indicator_name as item_name,
        raw_value,
        scoring,
        cast(null as {{ dbt.type_string() }}) as accident_grade,
        weight,
        cast(null as double) as points_per_item,
        cast(null as double) as cap_points,
        sort_order
    from indicators

    union all

    select
        'unit' as scope,
        rule_type as item_type,
        rule_id as item_id,
        rule_name as item_name,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        description as scoring,
        accident_grade,
        cast(null as double) as weight,
        points_per_item,
        cap_points,
        100 + sort_order as sort_order
    from deductions

)

select * from final
