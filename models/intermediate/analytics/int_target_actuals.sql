-- the actual figure of every target milestone (SPEC §6), as of e = min(milestone date, D) from the
-- state as of D. A yearly window runs Jan 1 → e of e's year (T2's of the milestone's year).
-- prev_value: T2's bound (the same span a year before); start_value: the straight line's start
-- for a count that must fall (T3 at the plan's start). T8, T9, T12 and T13 are shares of the
-- subjects of int_target_subjects (the same rows mart_target_chase_list lists).
with

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

hazards as (

    select * from {{ ref('int_hazards_facts') }}

),

accidents as (

    select * from {{ ref('int_accidents_facts') }}

),

accidents_by_year as (

    select * from {{ ref('int_accidents_compared_by_year') }}

),

inspections as (

    select * from {{ ref('int_inspections_facts') }}

),

training as (

    select * from {{ ref('int_training_facts') }}

),

drills as (

    select * from {{ ref('int_drills_facts') }}

),

subjects as (

    select * from {{ ref('int_target_subjects') }}
    where {{ is_milestone_evaluation() }}

),

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

industries as (

    select * from {{ ref('industries') }}

),

units as (

    select * from {{ ref('units') }}

),

evaluations as (

    select * from {{ ref('int_target_evaluations') }}
    where {{ is_milestone_evaluation() }}

),

plan_tasks as (

    select * from {{ ref('int_plan_task_statuses') }}

),

-- enterprises active at each evaluation date, in their state at that date
active_enterprises as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        enterprise_states.credit_code,
        enterprise_states.industry_code,
        enterprise_states.standardization_level,
        enterprise_states.is_high_risk
    from evaluations
    inner join enterprise_states
        on
            {{ is_state_at('enterprise_states', 'evaluations.evaluation_date') }}
            and enterprise_states.is_active
    where evaluations.target_id = 'T10'

),

t1 as (

    -- 存量重大隐患 (found on or before the cut-off) rectified by the date; none left: 100%
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where '
                    ~ hazard_is_rectified_by('hazards', 'evaluations.evaluation_date') ~ ')',
                'count(hazards.hazard_id)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join hazards
        on
            hazards.is_major
            and parameters.stock_cutoff_date >= hazards.found_date
    where evaluations.target_id = 'T1'
    group by evaluations.target_id, evaluations.milestone_date

),

t2 as (

    -- 重大隐患 found in the milestone's year so far, against the same span of the year before
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(*) filter (
            where hazards.found_date between evaluations.milestone_year_start
            and evaluations.evaluation_date
        ) as actual,
        count(*) filter (
            where hazards.found_date
            between {{ dbt.dateadd('year', -1, 'evaluations.milestone_year_start') }}
            and {{ dbt.dateadd('year', -1, 'evaluations.evaluation_date') }}
        ) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join hazards
        on hazards.is_major
    where evaluations.target_id = 'T2'
    group by evaluations.target_id, evaluations.milestone_date

),

t3 as (

    -- 重大隐患 open and overdue at the date; the line starts from the count at the plan's start
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(*) filter (
            where {{ hazard_is_open_overdue_at('hazards', 'evaluations.evaluation_date') }}
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        count(*) filter (
            where {{ hazard_is_open_overdue_at('hazards', 'parameters.plan_start_date') }}
        ) as start_value
    from evaluations
    cross join parameters
    left join hazards
        on hazards.is_major
    where evaluations.target_id = 'T3'
    group by evaluations.target_id, evaluations.milestone_date

),

t4 as (

    -- the region's 双下降 for the year (like for like in the as-of year): 1 met, 0 not
    select
        evaluations.target_id,
        evaluations.milestone_date,
        case
            when
                {{ is_decline_met(
                    'coalesce(sum(accidents_by_year.accidents), 0)',
                    'coalesce(sum(accidents_by_year.prev_accidents), 0)'
                ) }}
                and {{ is_decline_met(
                    'coalesce(sum(accidents_by_year.deaths), 0)',
                    'coalesce(sum(accidents_by_year.prev_deaths), 0)'
                ) }}
                then 1
            else 0
        end as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join accidents_by_year
        on evaluations.evaluation_year = accidents_by_year.year
    where evaluations.target_id = 'T4'
    group by evaluations.target_id, evaluations.milestone_date

),

t5 as (

    -- liability accidents of derived grade 较大 or worse in the year so far
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(accidents.accident_id) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join accidents
        on
            accidents.is_liability
            and accidents.is_larger_or_above
            and accidents.occurred_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T5'
    group by evaluations.target_id, evaluations.milestone_date

),

t6 as (

    -- share of the year's 企业 drills that are 四不 (from 2026 on without 综合演练); none: 0
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where drills.is_four_no)',
                'count(drills.drill_id)'
            ) }},
            0.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join drills
        on
            {{ is_four_no_eligible(
                'drills',
                'evaluations.evaluation_year',
                'parameters.four_no_excludes_comprehensive_from_year'
            ) }}
            and drills.drill_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T6'
    group by evaluations.target_id, evaluations.milestone_date

),

t7 as (

    -- distinct people with a passed 工伤预防能力提升培训 since the plan's start ÷ the task size
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share(
            'count(distinct training.person_key)',
            'max(parameters.work_injury_training_task_people)'
        ) }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join training
        on
            training.training_type = '工伤预防能力提升培训'
            and training.is_passed
            and training.training_date between parameters.training_since_date
            and evaluations.evaluation_date
    where evaluations.target_id = 'T7'
    group by evaluations.target_id, evaluations.milestone_date

),

subject_shares as (

    -- T8, T9, T12, T13: the share of their subjects that meet the target (int_target_subjects);
    -- no subject: 100%
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where subjects.is_met)', 'count(subjects.subject_id)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join subjects
        on
            evaluations.target_id = subjects.target_id
            and evaluations.milestone_date = subjects.milestone_date
    where evaluations.target_id in ('T8', 'T9', 'T12', 'T13', 'T15')
    group by evaluations.target_id, evaluations.milestone_date

),

t10 as (

    -- active 非煤矿山 and 民爆 enterprises at 一级 or 二级
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                "count(*) filter (where active_enterprises.standardization_level in ('一级', '二级'))",
                'count(active_enterprises.credit_code)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join active_enterprises
        on
            evaluations.target_id = active_enterprises.target_id
            and evaluations.milestone_date = active_enterprises.milestone_date
            and active_enterprises.industry_code in (
                select industries.industry_code from industries
                where industries.industry_name in ('非煤矿山', '民爆')
            )
    where evaluations.target_id = 'T10'
    group by evaluations.target_id, evaluations.milestone_date

),

unit_count as (

    select count(*) as units from units

),

non_site_units as (

    -- by the unit's OWN enforcement (执法部门 = the unit or an alias), wherever it inspected
    select distinct
        evaluations.target_id,
        evaluations.milestone_date,
        inspections.enforcing_unit_code as unit_code
    from evaluations
    inner join inspections
        on
            inspections.is_non_site
            and inspections.inspection_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T11'

),

t11 as (

    -- units whose own enforcement made at least one 非现场执法 inspection in the year
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share('count(non_site_units.unit_code)', 'max(unit_count.units)') }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join unit_count
    left join non_site_units
        on
            evaluations.target_id = non_site_units.target_id
            and evaluations.milestone_date = non_site_units.milestone_date
            and non_site_units.unit_code in (select units.unit_code from units)
    where evaluations.target_id = 'T11'
    group by evaluations.target_id, evaluations.milestone_date

),

t18 as (

    -- of the plan's tasks due on or before the date, the share completed on time (the task's
    -- worst owner 按期完成: every owner done by the due date); none due: NULL (SPEC §10.5)
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share(
            "count(distinct plan_tasks.task_id) filter (where plan_tasks.task_status = '按期完成')",
            'count(distinct plan_tasks.task_id)'
        ) }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join plan_tasks
        on evaluations.evaluation_date >= plan_tasks.due_date
    where evaluations.target_id = 'T18'
    group by evaluations.target_id, evaluations.milestone_date

),

monitoring_subjects as (

    select * from {{ ref('int_monitoring_subjects') }}

),

prevention_enterprises as (

    select * from {{ ref('int_prevention_enterprises') }}

),

requirement_shares as (

    -- T14: each requirement's pooled regional share at e (nobody required: 100%)
    select
        evaluations.target_id,
        evaluations.milestone_date,
        monitoring_subjects.requirement_id,
        coalesce(
            {{ safe_share(
                'count(*) filter (where monitoring_subjects.is_connected)', 'count(*)'
            ) }},
            1.0
        ) as share
    from evaluations
    inner join monitoring_subjects
        on
            evaluations.milestone_date = monitoring_subjects.due_date
            and evaluations.evaluation_date = monitoring_subjects.measured_on
    where evaluations.target_id = 'T14'
    group by evaluations.target_id, evaluations.milestone_date, monitoring_subjects.requirement_id

),

t14 as (

    -- one milestone per due date (SPEC §10.5: one per requirement, each judged on its pooled
    -- share): the lowest share among the requirements due that day decides it
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(min(requirement_shares.share), 1.0) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join requirement_shares
        on
            evaluations.target_id = requirement_shares.target_id
            and evaluations.milestone_date = requirement_shares.milestone_date
    where evaluations.target_id = 'T14'
    group by evaluations.target_id, evaluations.milestone_date

),

t16_t17_subjects as (

    -- T16: active 危险化学品 enterprises; T17: active 规上 ones with 涉爆粉尘 or 涉氨制冷 (the
    -- attributes from the state as of D, SPEC §10.5; active at e)
    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        prevention_enterprises.credit_code,
        case
            when evaluations.target_id = 'T16'
                then coalesce(prevention_enterprises.risk_level in ('低风险', '一般风险'), false)
            else coalesce(
                prevention_enterprises.standardization_level in ('一级', '二级', '三级')
                and (
                    prevention_enterprises.standardization_date is null
                    or prevention_enterprises.standardization_date <= evaluations.evaluation_date
                ),
                false
            )
        end as is_met
    from evaluations
    inner join prevention_enterprises
        on
            case
                when evaluations.target_id = 'T16'
                    then prevention_enterprises.industry_name = '危险化学品'
                else
                    coalesce(prevention_enterprises.scale = '规上', false)
                    and (
                        coalesce(prevention_enterprises.is_explosive_dust, false)
                        or coalesce(prevention_enterprises.is_ammonia_refrigeration, false)
                    )
            end
    inner join enterprise_states
        on
            prevention_enterprises.credit_code = enterprise_states.credit_code
            and {{ is_state_at('enterprise_states', 'evaluations.evaluation_date') }}
            and enterprise_states.is_active
    where evaluations.target_id in ('T16', 'T17')

),

t16_t17 as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where t16_t17_subjects.is_met)',
                'count(t16_t17_subjects.credit_code)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join t16_t17_subjects
        on
            evaluations.target_id = t16_t17_subjects.target_id
            and evaluations.milestone_date = t16_t17_subjects.milestone_date
    where evaluations.target_id in ('T16', 'T17')
    group by evaluations.target_id, evaluations.milestone_date

),

actuals as (

    {% for t in [
        't1', 't2', 't3', 't4', 't5', 't6', 't7', 't10', 't11', 't18', 'subject_shares', 't14',
        't16_t17'
    ] -%}
        select
            target_id,
            milestone_date,
            cast(actual as {{ type_double() }}) as actual,
            cast(prev_value as {{ type_double() }}) as prev_value,
            cast(start_value as {{ type_double() }}) as start_value
        from {{ t }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

final as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        evaluations.evaluation_year,
        actuals.actual,
        actuals.prev_value,
        actuals.start_value
    from evaluations
    left join actuals
        on
            evaluations.target_id = actuals.target_id
            and evaluations.milestone_date = actuals.milestone_date

)

select * from final
