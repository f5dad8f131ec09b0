{{ config(materialized='table') }}
-- quarter × unit: the counts behind the seven indicators and the deductions of SPEC §7, every
-- unit in every evaluated quarter (zeros included). "As of qe" is the quarter's period_end (D for
-- the running quarter). Past periods use the latest knowledge: each record's state as of D,
-- applied to the dates it carries (a hazard is rectified by qe when it is rectified as of D with
-- 整改完成日期 <= qe; an accident counts in the quarter it occurred).
with

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

units as (

    select * from {{ ref('units') }}

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

drills as (

    select * from {{ ref('int_drills_facts') }}

),

-- I6: each enterprise active at qe, and whether its 主要负责人 passed the training by then
active_enterprises as (

    select * from {{ ref('int_evaluation_principal_training') }}

),

parameters as (

    select * from {{ ref('int_evaluation_parameters') }}

),

deduction_rules as (

    select * from {{ ref('evaluation_deductions') }}

),

targets as (

    select * from {{ ref('target_milestones') }}

),

grid as (

    select
        quarters.quarter,
        units.unit_code
    from quarters
    cross join units

),

hazard_counts as (

    select
        quarters.quarter,
        hazards.unit_code,
        -- I1: 重大隐患 found by qe, and of those the ones rectified by qe; I2: hazards of every
        -- level whose deadline falls in the quarter (up to D)
        {{ hazard_rectification_counts() }},
        -- I3: hazards found in the quarter
        count(case when hazards.found_date >= quarters.quarter_start then 1 end) as hazards_found,
        -- the −2 deduction: listed (挂牌督办) 重大隐患 open and overdue at qe
        count(
            case
                when {{ hazard_is_listed_open_overdue_at('hazards', 'quarters.period_end') }} then 1
            end
        ) as listed_overdue_major_hazards
    from hazards
    inner join quarters
        on hazards.found_date <= quarters.period_end
    group by quarters.quarter, hazards.unit_code

),

accident_counts as (

    select
        quarters.quarter,
        accidents.unit_code,
        -- I5: Jan 1 → qe against the same span a year before
        {{ accident_ytd_counts() }},
        -- deductions and veto: accidents that occurred in the quarter, by derived grade
        count(
            case
                when
                    accidents.occurred_date >= quarters.quarter_start
                    and accidents.grade = parameters.deducted_accident_grade
                    then 1
            end
        ) as larger_accidents,
        count(
            case
                when accidents.occurred_date >= quarters.quarter_start and accidents.is_concealed
                    then 1
            end
        ) as concealed_accidents,
        count(
            case
                when
                    accidents.occurred_date >= quarters.quarter_start
                    and veto_rules.rule_id is not null
                    then 1
            end
        ) as veto_accidents
    from accidents
    inner join quarters
        on {{ accident_in_ytd_spans() }}
    cross join parameters
    left join deduction_rules as veto_rules
        on
            veto_rules.rule_type = 'veto'
            and accidents.grade = veto_rules.accident_grade
    group by quarters.quarter, accidents.unit_code

),

inspection_counts as (

    select
        quarter,
        unit_code,
        count(*) as inspections
    from inspections
    group by quarter, unit_code

),

penalty_counts as (

    select
        quarter,
        unit_code,
        count(*) as penalty_cases
    from penalties
    group by quarter, unit_code

),

enterprise_counts as (

    select
        quarter,
        unit_code,
        count(*) as active_enterprises,
        count(case when is_principal_trained then 1 end) as active_enterprises_principal_trained
    from active_enterprises
    group by quarter, unit_code

),

-- I7: 企业 drills Jan 1 → qe; from the seeded year on 综合演练 are left out (除综合性演练外)
drill_counts as (

    select
        quarters.quarter,
        drills.unit_code,
        count(*) as enterprise_drills_ytd,
        count(case when drills.is_four_no then 1 end) as four_no_drills_ytd
    from drills
    inner join quarters
        on drills.drill_date between quarters.year_start and quarters.period_end
    cross join parameters
    where {{ is_four_no_eligible(
        'drills', 'quarters.year', 'parameters.four_no_excludes_comprehensive_from_year'
    ) }}
    group by quarters.quarter, drills.unit_code

),

-- that year's T6 target (the last earlier milestone for a year without one)
four_no_targets as (

    {{ target_value_by_year('quarters', 'targets', 'T6', 'four_no_target') }}

),

final as (

    select
        grid.quarter,
        grid.unit_code,
        coalesce(hazard_counts.major_hazards, 0) as major_hazards,
        coalesce(hazard_counts.major_hazards_rectified, 0) as major_hazards_rectified,
        coalesce(hazard_counts.hazards_due, 0) as hazards_due,
        coalesce(hazard_counts.hazards_due_rectified_on_time, 0) as hazards_due_rectified_on_time,
        coalesce(hazard_counts.hazards_found, 0) as hazards_found,
        coalesce(enterprise_counts.active_enterprises, 0) as active_enterprises,
        coalesce(penalty_counts.penalty_cases, 0) as penalty_cases,
        coalesce(inspection_counts.inspections, 0) as inspections,
        coalesce(accident_counts.accidents_ytd, 0) as accidents_ytd,
        coalesce(accident_counts.accidents_prev_ytd, 0) as accidents_prev_ytd,
        coalesce(accident_counts.deaths_ytd, 0) as deaths_ytd,
        coalesce(accident_counts.deaths_prev_ytd, 0) as deaths_prev_ytd,
        coalesce(enterprise_counts.active_enterprises_principal_trained, 0)
            as active_enterprises_principal_trained,
        coalesce(drill_counts.enterprise_drills_ytd, 0) as enterprise_drills_ytd,
        coalesce(drill_counts.four_no_drills_ytd, 0) as four_no_drills_ytd,
        four_no_targets.four_no_target,
        coalesce(accident_counts.larger_accidents, 0) as larger_accidents,
        coalesce(accident_counts.concealed_accidents, 0) as concealed_accidents,
        coalesce(hazard_counts.listed_overdue_major_hazards, 0) as listed_overdue_major_hazards,
        coalesce(accident_counts.veto_accidents, 0) as veto_accidents
    from grid
    left join hazard_counts
        on grid.quarter = hazard_counts.quarter and grid.unit_code = hazard_counts.unit_code
    left join accident_counts
        on grid.quarter = accident_counts.quarter and grid.unit_code = accident_counts.unit_code
    left join inspection_counts
        on grid.quarter = inspection_counts.quarter and grid.unit_code = inspection_counts.unit_code
    left join penalty_counts
        on grid.quarter = penalty_counts.quarter and grid.unit_code = penalty_counts.unit_code
    left join enterprise_counts
        on grid.quarter = enterprise_counts.quarter and grid.unit_code = enterprise_counts.unit_code
    left join drill_counts
        on grid.quarter = drill_counts.quarter and grid.unit_code = drill_counts.unit_code
    left join quarters
        on grid.quarter = quarters.quarter
    left join four_no_targets
        on quarters.year = four_no_targets.year

)

select * from final
