-- 监管执法 by enforcing department: one row per quarter × department (D01 … D12) from 2023Q1 to
-- the as-of quarter, zero rows included; counts by the enforcing body (执法部门) — a 镇街's own
-- enforcement belongs to no department
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

departments as (

    select * from {{ ref('dim_department') }}

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
        departments.department_code
    from quarters
    cross join departments

),

inspection_counts as (

    select
        {{ quarter_key('inspection_date') }} as quarter,
        department_code,
        count(*) as inspections,
        count(*) filter (where is_non_site) as non_site_inspections
    from inspections
    where department_code is not null
    group by 1, 2

),

penalty_counts as (

    select
        {{ quarter_key('decided_date') }} as quarter,
        department_code,
        count(*) as penalty_cases,
        count(*) filter (where is_double_penalty) as double_penalty_cases,
        sum(coalesce(fines_yuan, 0)) as fines_yuan
    from penalties
    where department_code is not null
    group by 1, 2

),

counted as (

    select
        grid.quarter,
        grid.department_code,
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
            and grid.department_code = inspection_counts.department_code
    left join penalty_counts
        on
            grid.quarter = penalty_counts.quarter
            and grid.department_code = penalty_counts.department_code

),

final as (

    select
        quarter,
        department_code,
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
