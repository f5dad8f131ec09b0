-- 月调度、月通报 (plan §三.四): one row per month × unit from 2023-01 to the as-of month, zero rows
-- included. Events count in the month of their own date; the 重大隐患 open / overdue figures are
-- the state at the month's end (or D, if sooner) under the state as of D (SPEC §9).
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

hazards as (

    select * from {{ ref('fct_hazards') }}

),

accidents as (

    select * from {{ ref('fct_accidents') }}

),

inspections as (

    select * from {{ ref('fct_inspections') }}

),

penalties as (

    select * from {{ ref('fct_penalties') }}

),

grid as (

    select
        periods.month,
        periods.quarter,
        periods.year,
        periods.month_start,
        periods.month_end,
        periods.month_as_of,
        units.unit_code
    from periods
    cross join units

),

hazards_found as (

    select
        {{ month_key('found_date') }} as month,
        unit_code,
        count(*) as hazards_found,
        count(*) filter (where is_major) as major_hazards_found
    from hazards
    group by 1, 2

),

hazards_rectified as (

    select
        {{ month_key('rectified_date') }} as month,
        unit_code,
        count(*) as hazards_rectified
    from hazards
    where is_rectified
    group by 1, 2

),

major_open as (

    select
        periods.month,
        hazards.unit_code,
        count(*) as major_open_at_month_end,
        count(*) filter (
            where {{ hazard_is_open_overdue_at('hazards', 'periods.month_as_of') }}
        ) as major_overdue_at_month_end
    from periods
    inner join hazards
        on
            hazards.is_major
            and {{ hazard_is_open_at('hazards', 'periods.month_as_of') }}
    group by 1, 2

),

accident_counts as (

    select
        {{ month_key('occurred_date') }} as month,
        unit_code,
        count(*) as accidents,
        cast(sum(deaths) as {{ bigint_type() }}) as deaths
    from accidents
    group by 1, 2

),

inspection_counts as (

    select
        {{ month_key('inspection_date') }} as month,
        unit_code,
        count(*) as inspections
    from inspections
    group by 1, 2

),

penalty_counts as (

    select
        {{ month_key('decided_date') }} as month,
        unit_code,
        count(*) as penalty_cases,
        sum(coalesce(fines_yuan, 0)) as fines_yuan
    from penalties
    group by 1, 2

),

final as (

    select
        grid.month,
        grid.unit_code,
        grid.quarter,
        grid.year,
        coalesce(hazards_found.hazards_found, 0) as hazards_found,
        coalesce(hazards_found.major_hazards_found, 0) as major_hazards_found,
        coalesce(hazards_rectified.hazards_rectified, 0) as hazards_rectified,
        coalesce(major_open.major_open_at_month_end, 0) as major_open_at_month_end,
        coalesce(major_open.major_overdue_at_month_end, 0) as major_overdue_at_month_end,
        coalesce(accident_counts.accidents, 0) as accidents,
        coalesce(accident_counts.deaths, 0) as deaths,
        coalesce(inspection_counts.inspections, 0) as inspections,
        coalesce(penalty_counts.penalty_cases, 0) as penalty_cases,
        coalesce(penalty_counts.fines_yuan, 0) as fines_yuan,
        grid.month_start,
        grid.month_end,
        grid.month_as_of
    from grid
    left join hazards_found
        on
            grid.month = hazards_found.month
            and grid.unit_code = hazards_found.unit_code
    left join hazards_rectified
        on
            grid.month = hazards_rectified.month
            and grid.unit_code = hazards_rectified.unit_code
    left join major_open
        on
            grid.month = major_open.month
            and grid.unit_code = major_open.unit_code
    left join accident_counts
        on
            grid.month = accident_counts.month
            and grid.unit_code = accident_counts.unit_code
    left join inspection_counts
        on
            grid.month = inspection_counts.month
            and grid.unit_code = inspection_counts.unit_code
    left join penalty_counts
        on
            grid.month = penalty_counts.month
            and grid.unit_code = penalty_counts.unit_code

)

select * from final
