-- 三年行动目标进展 (SPEC §6): one row per target T1 … T13 with its next milestone, the actual as of
-- D and its status. 未达成: a passed milestone was missed, or the current one can no longer be met
-- (a count capped within the year already above it, as T5). 达成: all milestones passed and met.
-- Otherwise, towards the next milestone: a yearly (or direct) target is judged on the year so far
-- against the milestone's value; any other against the straight line from the plan's start (0
-- for a share, its own value at the start for a count that must fall) to the milestone at D.
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
            when judged_by = 'straight_line'
                then
                    line_start_value
                    + (next_target_value - line_start_value) * least(greatest(line_fraction, 0), 1)
            else next_target_value
        end as expected_value
    from joined

),

final as (

    select
        target_id,
        target,
        plan_section,
        next_milestone,
        next_target_value,
        actual,
        prev_value,
        expected_value,
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
            when {{ is_target_value_met('comparison', 'actual', 'expected_value', 'prev_value') }}
                then '进行中'
            else '有风险'
        end as status,
        milestones,
        milestones_passed,
        milestones_met,
        milestones_missed,
        sort_order,
        {{ as_of_date() }} as as_of_date
    from expected

)

select * from final
