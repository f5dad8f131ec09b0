-- 分区域、分行业统计 (plan §二.4): one row per quarter × unit × industry from 2023Q1 to the as-of
-- quarter, zero rows included. Events count in the quarter of their own date; the open-overdue
-- figure is the state at the quarter's end (or D, if sooner) under the state as of D (SPEC §9).
-- Records without an industry (penalties of unknown enterprises) count under 其他.
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

industries as (

    select * from {{ ref('dim_industry') }}

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

quarters as (

    select distinct
        quarter,
        year,
        quarter_start,
        quarter_end,
        quarter_as_of
    from periods

),

other_industry as (

    select industry_code from industries
    where industry_name = '其他'

),

grid as (

    select
        quarters.quarter,
        quarters.year,
        quarters.quarter_start,
        quarters.quarter_end,
        quarters.quarter_as_of,
        units.unit_code,
        industries.industry_code
    from quarters
    cross join units
    cross join industries

),

hazards_found as (

    select
        {{ quarter_key('found_date') }} as quarter,
        unit_code,
        industry_code,
        count(*) as hazards_found,
        count(*) filter (where is_major) as major_hazards_found
    from hazards
    group by 1, 2, 3

),

hazards_rectified as (

    select
        {{ quarter_key('rectified_date') }} as quarter,
        unit_code,
        industry_code,
        count(*) as hazards_rectified
    from hazards
    where is_rectified
    group by 1, 2, 3

),

open_overdue as (

    select
        quarters.quarter,
        hazards.unit_code,
        hazards.industry_code,
        count(*) as open_overdue_at_quarter_end
    from quarters
    inner join hazards
        on {{ hazard_is_open_overdue_at('hazards', 'quarters.quarter_as_of') }}
    group by 1, 2, 3

),

accident_counts as (

    select
        {{ quarter_key('occurred_date') }} as quarter,
        unit_code,
        industry_code,
        count(*) as accidents,
        cast(sum(deaths) as {{ bigint_type() }}) as deaths
    from accidents
    group by 1, 2, 3

),

inspection_counts as (

    select
        {{ quarter_key('inspections.inspection_date') }} as quarter,
        inspections.unit_code,
        coalesce(inspections.industry_code, other_industry.industry_code) as industry_code,
        count(*) as inspections
    from inspections
    cross join other_industry
    group by 1, 2, 3

),

penalty_counts as (

    select
        {{ quarter_key('penalties.decided_date') }} as quarter,
        penalties.unit_code,
        coalesce(penalties.industry_code, other_industry.industry_code) as industry_code,
        count(*) as penalty_cases,
        sum(coalesce(penalties.fines_yuan, 0)) as fines_yuan
    from penalties
    cross join other_industry
    group by 1, 2, 3

),

final as (

    select
        grid.quarter,
        grid.unit_code,
        grid.industry_code,
        grid.year,
        coalesce(hazards_found.hazards_found, 0) as hazards_found,
        coalesce(hazards_found.major_hazards_found, 0) as major_hazards_found,
        coalesce(hazards_rectified.hazards_rectified, 0) as hazards_rectified,
        coalesce(open_overdue.open_overdue_at_quarter_end, 0) as open_overdue_at_quarter_end,
        coalesce(accident_counts.accidents, 0) as accidents,
        coalesce(accident_counts.deaths, 0) as deaths,
        coalesce(inspection_counts.inspections, 0) as inspections,
        coalesce(penalty_counts.penalty_cases, 0) as penalty_cases,
        coalesce(penalty_counts.fines_yuan, 0) as fines_yuan,
        grid.quarter_start,
        grid.quarter_end,
        grid.quarter_as_of
    from grid
    left join hazards_found
        on
            grid.quarter = hazards_found.quarter
            and grid.unit_code = hazards_found.unit_code
            and grid.industry_code = hazards_found.industry_code
    left join hazards_rectified
        on
            grid.quarter = hazards_rectified.quarter
            and grid.unit_code = hazards_rectified.unit_code
            and grid.industry_code = hazards_rectified.industry_code
    left join open_overdue
        on
            grid.quarter = open_overdue.quarter
            and grid.unit_code = open_overdue.unit_code
            and grid.industry_code = open_overdue.industry_code
    left join accident_counts
        on
            grid.quarter = accident_counts.quarter
            and grid.unit_code = accident_counts.unit_code
            and grid.industry_code = accident_counts.industry_code
    left join inspection_counts
        on
            grid.quarter = inspection_counts.quarter
            and grid.unit_code = inspection_counts.unit_code
            and grid.industry_code = inspection_counts.industry_code
    left join penalty_counts
        on
            grid.quarter = penalty_counts.quarter
            and grid.unit_code = penalty_counts.unit_code
            and grid.industry_code = penalty_counts.industry_code

)

select * from final
