-- 三年行动目标进展 (SPEC §6): one row per target T1 … T13 with its next milestone, the actual as of
-- D and its status. 未达成: a passed milestone was missed, or the current one can no longer be met
-- (a count capped within the year already above it, as T5). 达成: all milestones passed and met.
-- Otherwise, towards the next milestone: a yearly (or direct) target is judged on the year so far
-- against the milestone's value; any other against the straight line from the plan's start (0
-- for a share, its own value at the start for a count that must fall) to the milestone at D.
-- T14 is judged requirement by requirement, each on its own line (macro
-- monitoring_target_judgement, SPEC §10.5).
with

targets as (

    select * from {{ ref('targets') }}

),

milestones as (

    select * from {{ ref('mart_target_milestones') }}

),

actuals as (

    select * from {{ ref('int_target_actuals') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

coverage as (

    select * from {{ ref('mart_monitoring_coverage') }}

),

-- T14: each requirement's region row where its status is judged (at its due date once passed,
-- else at D), with T14's milestone value at its due date
monitoring_requirements as (

    select
        coverage.requirement_id,
        coverage.system,
        coverage.due_date,
        milestones.target_value,
        coverage.coverage_share,
        coverage.expected_share,
        coverage.status
    from coverage
    left join milestones
        on
            milestones.target_id = 'T14'
            and coverage.due_date = milestones.milestone_date
    where
        coverage.unit_code is null
        and coverage.measured_on = least(coverage.due_date, {{ as_of_date() }})

),

-- T14 (SPEC §10.5): every monitoring requirement a milestone of its own, each not yet due on its
-- own straight line — its status and deciding requirement replace the date-by-date judgement
monitoring_target as (

    {{ monitoring_target_judgement('monitoring_requirements') }}

),

summary as (

    select
        target_id,
        count(*) as milestones,
        count(*) filter (where is_passed) as milestones_passed,
        count(*) filter (where is_passed and is_met) as milestones_met,
        count(*) filter (where is_passed and not is_met) as milestones_missed,
        max(milestone_date) as last_milestone
    from milestones
    group by target_id

),

next_milestone as (

    select * from milestones
    where is_next

),

last_milestone as (

    select milestones.*
    from milestones
    inner join summary
        on
            milestones.target_id = summary.target_id
            and milestones.milestone_date = summary.last_milestone

),

start_values as (

    select
        target_id,
        max(start_value) as start_value
    from actuals
    group by target_id

),

joined as (

    select
        targets.target_id,
        targets.target,
        targets.plan_section,
        targets.judged_by,
        targets.comparison,
        targets.is_count_capped_in_year,
        next_milestone.milestone_date as next_milestone,
        next_milestone.target_value as next_target_value,
        coalesce(next_milestone.actual, last_milestone.actual) as actual,
        coalesce(next_milestone.prev_value, last_milestone.prev_value) as prev_value,
        case
            when targets.start_value_rule = 'own_value' then start_values.start_value
            else 0
        end as line_start_value,
        -- the straight line's fraction: days from the plan's start to D ÷ to the milestone
        cast(
            {{ dbt.datediff('parameters.plan_start_date', as_of_date(), 'day') }}
            as {{ type_double() }}
        )
        / nullif({{ dbt.datediff(
            'parameters.plan_start_date', 'next_milestone.milestone_date', 'day'
        ) }}, 0) as line_fraction,
        summary.milestones,
        summary.milestones_passed,
        summary.milestones_met,
        summary.milestones_missed,
        targets.sort_order
    from targets
    cross join parameters
    inner join summary
        on targets.target_id = summary.target_id
    left join next_milestone
        on targets.target_id = next_milestone.target_id
    left join last_milestone
        on targets.target_id = last_milestone.target_id
    left join start_values
        on targets.target_id = start_values.target_id

),

expected as (

    select
        *,
        case
            when next_milestone is null then null
            -- T2: the bound is the same span of the year before
            when comparison = 'fewer_than_prev' then prev_value
            when judged_by = 'every_due' then next_target_value
            when judged_by = 'straight_line'
                then
                    line_start_value
                    + (next_target_value - line_start_value) * least(greatest(line_fraction, 0), 1)
            else next_target_value
        end as expected_value
    from joined

),

missed as (

    select * from milestones
    where is_passed and not is_met

),

first_missed as (

    -- the earliest passed milestone that was missed: it decides a 未达成
    {{ keep_first('missed', 'target_id', 'milestone_date') }}

),

statused as (

    select
        *,
        case
            when milestones_missed > 0 then '未达成'
            when next_milestone is null then '达成'
            -- a value capped in the period (T5: a count above it; T15: a quarter's share below
            -- 100 % once a required period ended without a compliant 自查) cannot be met any more
            when is_count_capped_in_year and comparison = 'at_most' and actual > next_target_value
                then '未达成'
            when
                is_count_capped_in_year
                and comparison = 'at_least'
                and actual < next_target_value - 1e-9
                then '未达成'
            -- T18 (SPEC §10.5): 未达成 once a task due by D was not completed on time; nothing
            -- due yet (NULL) or all on time: 进行中
            when judged_by = 'every_due' and actual < next_target_value - 1e-9 then '未达成'
            when judged_by = 'every_due' then '进行中'
            when {{ is_target_value_met('comparison', 'actual', 'expected_value', 'prev_value') }}
                then '进行中'
            else '有风险'
        end as status
    from expected

),

deciding as (

    -- SPEC §10.4 "Every status says why": the milestone that decides the status — the earliest
    -- missed one; when all passed were met, the next (its actual as of D), else the last
    select
        statused.target_id,
        coalesce(
            first_missed.milestone_date, statused.next_milestone, last_milestone.milestone_date
        ) as deciding_milestone,
        case
            when first_missed.target_id is not null then first_missed.target_value
            when statused.next_milestone is not null then statused.next_target_value
            else last_milestone.target_value
        end as deciding_target_value,
        case
            when first_missed.target_id is not null then first_missed.actual
            when statused.next_milestone is not null then statused.actual
            else last_milestone.actual
        end as deciding_actual,
        case
            when first_missed.target_id is not null then first_missed.prev_value
            when statused.next_milestone is not null then statused.prev_value
            else last_milestone.prev_value
        end as deciding_prev_value
    from statused
    left join first_missed
        on statused.target_id = first_missed.target_id
    left join last_milestone
        on statused.target_id = last_milestone.target_id

),

final as (

    select
        statused.target_id,
        statused.target,
        statused.plan_section,
        statused.next_milestone,
        statused.next_target_value,
        -- T14 有风险: the requirement that falls short of its own line, as of D
        case
            when monitoring_target.status = '有风险' then monitoring_target.deciding_actual
            else statused.actual
        end as actual,
        statused.prev_value,
        case
            when monitoring_target.status = '有风险'
                then monitoring_target.deciding_expected_value
            else statused.expected_value
        end as expected_value,
        coalesce(monitoring_target.status, statused.status) as status,
        statused.milestones,
        statused.milestones_passed,
        statused.milestones_met,
        statused.milestones_missed,
        statused.sort_order,
        {{ as_of_date() }} as as_of_date,
        statused.comparison,
        coalesce(
            monitoring_target.deciding_milestone, deciding.deciding_milestone
        ) as deciding_milestone,
        coalesce(
            monitoring_target.deciding_target_value, deciding.deciding_target_value
        ) as deciding_target_value,
        case
            when monitoring_target.target_id is not null then monitoring_target.deciding_actual
            else deciding.deciding_actual
        end as deciding_actual,
        deciding.deciding_prev_value,
        -- T14: the requirement that decides (SPEC §10.4: its status reason names it)
        monitoring_target.deciding_requirement_id,
        monitoring_target.deciding_system
    from statused
    inner join deciding
        on statused.target_id = deciding.target_id
    left join monitoring_target
        on statused.target_id = monitoring_target.target_id

)

select * from final
