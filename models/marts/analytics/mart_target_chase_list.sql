-- 督办清单 (SPEC §10.4 "Named lists"): whom to chase behind the coverage targets, as of D — one row
-- per missing item of the milestone now worked towards (the earliest dated on or after D, whose
-- actual is computed at D). T8, T9, T12, T13: the unmet subjects of int_target_subjects, the very
-- rows their shares count, so the list's size is the target's denominator minus its numerator.
-- T6 (a share of drills, not of subjects): the enterprises whose 四不-eligible drills of the year
-- so far include no 四不 drill. T18: the owners of overdue plan tasks (逾期未完成), one row per
-- owner listing its tasks. Names are of enterprises, units and departments only: never a
-- person or a reporter.
with

evaluations as (

    select * from {{ ref('int_target_evaluations') }}
    where {{ is_milestone_evaluation() }}

),

subjects as (

    select * from {{ ref('int_target_subjects') }}
    where {{ is_milestone_evaluation() }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

drills as (

    select * from {{ ref('int_drills_facts') }}

),

enterprises_current as (

    select * from {{ ref('int_enterprises_current') }}

),

units as (

    select * from {{ ref('units') }}

),

departments as (

    select * from {{ ref('departments') }}

),

plan_tasks as (

    select * from {{ ref('int_plan_task_statuses') }}

),

upcoming_milestones as (

    select * from evaluations
    where milestone_date >= {{ as_of_date() }}

),

current_milestones as (

    {{ keep_first('upcoming_milestones', 'target_id', 'milestone_date nulls last') }}

),

unmet_subjects as (

    select
        subjects.target_id,
        subjects.milestone_date,
        subjects.evaluation_date,
        subjects.subject_type,
        subjects.subject_id,
        subjects.credit_code,
        subjects.unit_code,
        subjects.missing
    from subjects
    inner join current_milestones
        on
            subjects.target_id = current_milestones.target_id
            and subjects.milestone_date = current_milestones.milestone_date
    where not subjects.is_met

),

four_no_by_enterprise as (

    -- T6: each enterprise's 四不-eligible drills of the year so far, and how many were 四不
    select
        current_milestones.target_id,
        current_milestones.milestone_date,
        current_milestones.evaluation_date,
        current_milestones.evaluation_year,
        drills.credit_code,
        max(drills.unit_code) as unit_code,
        count(*) as eligible_drills,
        count(*) filter (where drills.is_four_no) as four_no_drills
    from current_milestones
    cross join parameters
    inner join drills
        on
            {{ is_four_no_eligible(
                'drills',
                'current_milestones.evaluation_year',
                'parameters.four_no_excludes_comprehensive_from_year'
            ) }}
            and drills.drill_date between current_milestones.window_start
            and current_milestones.evaluation_date
    where
        current_milestones.target_id = 'T6'
        and drills.credit_code is not null
    group by
        current_milestones.target_id,
        current_milestones.milestone_date,
        current_milestones.evaluation_date,
        current_milestones.evaluation_year,
        drills.credit_code

),

four_no_missing as (

    select
        target_id,
        milestone_date,
        evaluation_date,
        '企业' as subject_type,
        credit_code as subject_id,
        credit_code,
        unit_code,
        concat(
            cast(evaluation_year as {{ dbt.type_string() }}),
            '年无企业"四不"演练（演练',
            cast(eligible_drills as {{ dbt.type_string() }}),
            '次均非"四不"）'
        ) as missing
    from four_no_by_enterprise
    where four_no_drills = 0

),

overdue_tasks as (

    -- T18: each owner (镇街 or 区直部门) of a task due by D that it has not completed — the
    -- owners that keep the task from 按期完成 and can still act — with its overdue tasks
    select
        current_milestones.target_id,
        current_milestones.milestone_date,
        current_milestones.evaluation_date,
        plan_tasks.owner_type as subject_type,
        plan_tasks.owner_code as subject_id,
        cast(null as {{ dbt.type_string() }}) as credit_code,
        plan_tasks.unit_code,
        concat(
            '逾期未完成任务',
            cast(count(*) as {{ dbt.type_string() }}),
            '项：',
            {{ dbt.listagg(
                "concat(plan_tasks.task_id, '（', cast(plan_tasks.due_date as "
                ~ dbt.type_string() ~ "), '到期）')",
                "'、'",
                'order by plan_tasks.due_date, plan_tasks.task_id'
            ) }}
        ) as missing
    from current_milestones
    inner join plan_tasks
        on
            current_milestones.evaluation_date >= plan_tasks.due_date
            and plan_tasks.status = '逾期未完成'
    where current_milestones.target_id = 'T18'
    group by
        current_milestones.target_id,
        current_milestones.milestone_date,
        current_milestones.evaluation_date,
        plan_tasks.owner_type,
        plan_tasks.owner_code,
        plan_tasks.unit_code

),

items as (

    select * from unmet_subjects
    union all
    select * from four_no_missing
    union all
    select * from overdue_tasks

),

final as (

    select
        items.target_id,
        items.milestone_date,
        items.evaluation_date as as_of_date,
        items.unit_code,
        units.unit_name,
        items.subject_type,
        items.subject_id,
        case items.subject_type
            when '区直部门' then departments.department_name
            when '镇街' then units.unit_name
            else enterprises_current.enterprise_name
        end as subject_name,
        items.missing as missing_item
    from items
    left join units
        on items.unit_code = units.unit_code
    left join departments
        on items.subject_type = '区直部门' and items.subject_id = departments.department_code
    left join enterprises_current
        on items.credit_code = enterprises_current.credit_code

)

select * from final
