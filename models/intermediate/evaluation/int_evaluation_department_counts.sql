{{ config(materialized='table') }}
-- quarter × department: the counts behind I1, I2, I4 and I5 of the department variant (SPEC §7).
-- A record belongs to a department by its own department column (hazards 责任部门, inspections
-- and penalties 执法部门), otherwise to the department that leads its industry; a 镇街's own
-- enforcement belongs to no department; accidents (I5) by their industry. is_ranked: the
-- department leads an industry or owns a record dated in the year up to qe.
with

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

departments as (

    select * from {{ ref('departments') }}

),

industries as (

    select * from {{ ref('industries') }}

),

hazards as (

    select * from {{ ref('int_hazards_facts') }}

),

accidents as (

    select * from {{ ref('int_accidents_facts') }}

),

inspections as (

    select * from {{ ref('int_inspections_facts') }}

),

penalties as (

    select * from {{ ref('int_penalties_facts') }}

),

grid as (

    select
        quarters.quarter,
        departments.department_code
    from quarters
    cross join departments

),

hazard_counts as (

    select
        quarters.quarter,
        hazards.attributed_department_code as department_code,
        {{ hazard_rectification_counts() }},
        count(
            case when hazards.found_date >= quarters.year_start then 1 end
        ) as hazards_found_ytd
    from hazards
    inner join quarters
        on hazards.found_date <= quarters.period_end
    group by quarters.quarter, hazards.attributed_department_code

),

accident_counts as (

    select
        quarters.quarter,
        accidents.lead_department_code as department_code,
        {{ accident_ytd_counts() }}
    from accidents
    inner join quarters
        on {{ accident_in_ytd_spans() }}
    group by quarters.quarter, accidents.lead_department_code

),

enforcement_records as (

    select
        'inspection' as record_kind,
        attributed_department_code as department_code,
        inspection_date as record_date
    from inspections
    where enforcing_unit_code is null

    union all

    select
        'penalty' as record_kind,
        attributed_department_code as department_code,
        decided_date as record_date
    from penalties
    where enforcing_unit_code is null

),

enforcement_counts as (

    select
        quarters.quarter,
        enforcement_records.department_code,
        count(
            case
                when
                    enforcement_records.record_kind = 'inspection'
                    and enforcement_records.record_date >= quarters.quarter_start
                    then 1
            end
        ) as inspections,
        count(
            case
                when
                    enforcement_records.record_kind = 'penalty'
                    and enforcement_records.record_date >= quarters.quarter_start
                    then 1
            end
        ) as penalty_cases,
        count(*) as enforcement_records_ytd
    from enforcement_records
    inner join quarters
        on enforcement_records.record_date between quarters.year_start and quarters.period_end
    group by quarters.quarter, enforcement_records.department_code

),

led_industries as (

    select
        lead_department_code as department_code,
        count(*) as industries_led
    from industries
    group by lead_department_code

),

final as (

    select
        grid.quarter,
        grid.department_code,
        coalesce(led_industries.industries_led, 0) as industries_led,
        coalesce(hazard_counts.major_hazards, 0) as major_hazards,
        coalesce(hazard_counts.major_hazards_rectified, 0) as major_hazards_rectified,
        coalesce(hazard_counts.hazards_due, 0) as hazards_due,
        coalesce(hazard_counts.hazards_due_rectified_on_time, 0) as hazards_due_rectified_on_time,
        coalesce(enforcement_counts.penalty_cases, 0) as penalty_cases,
        coalesce(enforcement_counts.inspections, 0) as inspections,
        coalesce(accident_counts.accidents_ytd, 0) as accidents_ytd,
        coalesce(accident_counts.accidents_prev_ytd, 0) as accidents_prev_ytd,
        coalesce(accident_counts.deaths_ytd, 0) as deaths_ytd,
        coalesce(accident_counts.deaths_prev_ytd, 0) as deaths_prev_ytd,
        (
            coalesce(led_industries.industries_led, 0) > 0
            or coalesce(hazard_counts.hazards_found_ytd, 0) > 0
            or coalesce(enforcement_counts.enforcement_records_ytd, 0) > 0
            or coalesce(accident_counts.accidents_ytd, 0) > 0
        ) as is_ranked
    from grid
    left join led_industries
        on grid.department_code = led_industries.department_code
    left join hazard_counts
        on
            grid.quarter = hazard_counts.quarter
            and grid.department_code = hazard_counts.department_code
    left join accident_counts
        on
            grid.quarter = accident_counts.quarter
            and grid.department_code = accident_counts.department_code
    left join enforcement_counts
        on
            grid.quarter = enforcement_counts.quarter
            and grid.department_code = enforcement_counts.department_code

)

select * from final
