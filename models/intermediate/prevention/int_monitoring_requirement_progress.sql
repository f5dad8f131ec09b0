-- T14 监测预警全覆盖 by requirement (SPEC §10.5 "Monitoring"): every requirement of seed
-- monitoring_requirements is a milestone of its own — the value of T14's milestone at its due
-- date (seed target_milestones: 100 %) — judged on the region's pooled share: at its due date
-- once passed, else at D against its own straight line from the plan's start (0) to its due
-- date. Nobody required: NULL, which counts as met (1.0 here). mart_target_progress judges T14
-- from these rows (macro monitoring_target_judgement).
with

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

requirements as (

    select * from {{ ref('monitoring_requirements') }}

),

milestones as (

    select * from {{ ref('target_milestones') }}
    where target_id = 'T14'

),

subjects as (

    select * from {{ ref('int_monitoring_subjects') }}

),

shares as (

    select
        requirement_id,
        measured_on,
        {{ safe_share('count(*) filter (where is_connected)', 'count(*)') }} as share
    from subjects
    group by requirement_id, measured_on

),

final as (

    select
        requirements.requirement_id,
        requirements.system,
        requirements.due_date,
        milestones.target_value,
        coalesce(shares.share, 1.0) as share,
        case
            when requirements.due_date > {{ as_of_date() }}
                then {{ straight_line_value(
                    '0',
                    'milestones.target_value',
                    straight_line_fraction('parameters.plan_start_date', 'requirements.due_date')
                ) }}
        end as expected_value,
        requirements.due_date <= {{ as_of_date() }} as is_passed,
        least(requirements.due_date, {{ as_of_date() }}) as measured_on
    from requirements
    cross join parameters
    left join milestones
        on requirements.due_date = milestones.milestone_date
    left join shares
        on
            requirements.requirement_id = shares.requirement_id
            and least(requirements.due_date, {{ as_of_date() }}) = shares.measured_on

)

select * from final
