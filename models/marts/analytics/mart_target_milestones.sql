-- 三年行动目标 milestones: one row per milestone of seed target_milestones. A milestone dated on or
-- before D has passed and is met or missed, its actual as of the milestone date from the state as
-- of D; the next milestone carries the actual as of D; later ones carry none yet.
with

targets as (

    select * from {{ ref('targets') }}

),

milestones as (

    select * from {{ ref('target_milestones') }}

),

actuals as (

    select * from {{ ref('int_target_actuals') }}

),

sequenced as (

    select
        milestones.target_id,
        milestones.milestone_date,
        milestones.target_value,
        targets.comparison,
        actuals.evaluation_date,
        actuals.actual,
        actuals.prev_value,
        milestones.milestone_date <= {{ as_of_date() }} as is_passed,
        -- the earliest milestone after D is the one now being worked towards
        milestones.milestone_date > {{ as_of_date() }}
        and row_number() over (
            partition by
                milestones.target_id,
                milestones.milestone_date > {{ as_of_date() }}
            order by milestones.milestone_date nulls last
        ) = 1 as is_next
    from milestones
    inner join targets
        on milestones.target_id = targets.target_id
    left join actuals
        on
            milestones.target_id = actuals.target_id
            and milestones.milestone_date = actuals.milestone_date

),

final as (

    select
        target_id,
        milestone_date,
        target_value,
        case when is_passed or is_next then actual end as actual,
        case when is_passed or is_next then prev_value end as prev_value,
        is_passed,
        is_next,
        case
            when is_passed
                then {{ is_target_value_met('comparison', 'actual', 'target_value', 'prev_value') }}
        end as is_met,
        case when is_passed or is_next then evaluation_date end as evaluation_date
    from sequenced

)

select * from final
