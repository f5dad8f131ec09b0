-- 监管执法 by unit (plan §二.14 “零处罚”“只检查不处罚”): one row per quarter × unit from 2023Q1 to
-- the as-of quarter, zero rows included. The unit grain counts what happened in the unit, whoever
-- enforced; a penalty counts in the quarter of its 决定日期, with or without an inspection.
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

inspections as (

    select * from {{ ref('fct_inspections') }}

),

penalties as (

    select * from {{ ref('fct_penalties') }}

),

quarters as (

    select distinct
        quarter,
        year
    from periods

),

grid as (

    select
        quarters.quarter,
        quarters.year,
        units.unit_code
    from quarters
    cross join units

),

inspection_counts as (

    select
        {{ quarter_key('inspection_date') }} as quarter,
        unit_code,
        count(*) as inspections,
        count(*) filter (where is_non_site) as non_site_inspections
    from inspections
    group by 1, 2

),

penalty_counts as (

    select
        {{ quarter_key('decided_date') }} as quarter,
        unit_code,
        count(*) as penalty_cases,
        count(*) filter (where is_double_penalty) as double_penalty_cases,
        sum(coalesce(fines_yuan, 0)) as fines_yuan
    from penalties
    group by 1, 2

),

counted as (

    select
        grid.quarter,
        grid.unit_code,
        grid.year,
        coalesce(inspection_counts.inspections, 0) as inspections,
        coalesce(inspection_counts.non_site_inspections, 0) as non_site_inspections,
        coalesce(penalty_counts.penalty_cases, 0) as penalty_cases,
        coalesce(penalty_counts.double_penalty_cases, 0) as double_penalty_cases,
        coalesce(penalty_counts.fines_yuan, 0) as fines_yuan
    from grid
    left join inspection_counts
        on
            grid.quarter = inspection_counts.quarter
            and grid.unit_code = inspection_counts.unit_code
    left join penalty_counts
        on
            grid.quarter = penalty_counts.quarter
            and grid.unit_code = penalty_counts.unit_code

),

final as (

    select
        quarter,
        unit_code,
        year,
        inspections,
        non_site_inspections,
        penalty_cases,
        double_penalty_cases,
        fines_yuan,
        {{ safe_share('penalty_cases', 'inspections') }} as penalty_rate,
        {{ safe_share('non_site_inspections', 'inspections') }} as non_site_share,
        {{ is_zero_penalty('inspections', 'penalty_cases') }} as is_zero_penalty
    from counted

)

select * from final
