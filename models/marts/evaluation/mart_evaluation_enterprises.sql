-- I6's records (SPEC §7): quarter × enterprise active at the quarter's end (or D), with whether its
-- 主要负责人 passed a 主要负责人专题培训 by then — the rows int_evaluation_unit_counts counts
-- (active_enterprises, active_enterprises_principal_trained), served for the drill-through.
with

principal_training as (

    select * from {{ ref('int_evaluation_principal_training') }}

),

final as (

    select
        quarter,
        unit_code,
        credit_code,
        is_principal_trained
    from principal_training

)

select * from final
