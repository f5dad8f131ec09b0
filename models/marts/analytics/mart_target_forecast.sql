-- 预警 (SPEC §10.4 "Early warning"): for every coverage target counted over subjects (T8, T9,
-- T12, T13: int_target_subjects), the region (unit_code NULL) and each unit with subjects — its
-- actual at D towards the milestone now worked towards (the earliest after D), projected to that
-- milestone two ways, and the date the milestone would be met at each pace (NULL if never):
--   line:   the straight line of §6 through the actual — the pace since the line's start t0
--           (the plan's start; a yearly target: Jan 1 of D's year), from 0 (a share that grows);
--   recent: the last two quarters' pace — the change since b (int_target_evaluations'
--           pace base, D − 6 months, not before t0), the actual at b by the same rule.
-- A unit drags the region below the line when the region's actual is below the line's value at D
-- (0 at t0 → the milestone's value at the milestone) and so is the unit's own.
with

targets as (

    select * from {{ ref('targets') }}

),

evaluations as (

    select * from {{ ref('int_target_evaluations') }}

),

subjects as (

    select * from {{ ref('int_target_subjects') }}

),

milestones as (

    select * from {{ ref('target_milestones') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

next_milestones as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date as pace_base_date,
        milestones.target_value,
        case
            when targets.judged_by = 'year_so_far'
                then cast({{ dbt.date_trunc('year', as_of_date()) }} as date)
            else parameters.plan_start_date
        end as line_start_date
    from evaluations
    inner join targets
        on evaluations.target_id = targets.target_id
    inner join milestones
        on
            evaluations.target_id = milestones.target_id
            and evaluations.milestone_date = milestones.milestone_date
    cross join parameters
    -- T14 (due-date milestones per requirement) and T15 (each quarter on its own) have subjects
    -- too, but no pace to project: they stay out
    where
        evaluations.is_pace_base
        and evaluations.target_id in ('T8', 'T9', 'T12', 'T13')

),

scoped as (

    -- each subject row twice: for the region, and for its unit (departments have none)
    select
        subjects.target_id,
        subjects.milestone_date,
        subjects.evaluation_date,
        subjects.is_met,
        cast(null as {{ dbt.type_string() }}) as unit_code
    from subjects
    union all
    select
        subjects.target_id,
        subjects.milestone_date,
        subjects.evaluation_date,
        subjects.is_met,
        subjects.unit_code
    from subjects
    where subjects.unit_code is not null

),

shares as (

    select
        next_milestones.target_id,
        scoped.unit_code,
        count(*) filter (where scoped.evaluation_date = {{ as_of_date() }}) as subjects,
        count(*) filter (
            where scoped.evaluation_date = {{ as_of_date() }} and scoped.is_met
        ) as subjects_met,
        count(*) filter (
            where scoped.evaluation_date = next_milestones.pace_base_date
        ) as pace_base_subjects,
        count(*) filter (
            where scoped.evaluation_date = next_milestones.pace_base_date and scoped.is_met
        ) as pace_base_subjects_met
    from next_milestones
    inner join scoped
        on
            next_milestones.target_id = scoped.target_id
            and next_milestones.milestone_date = scoped.milestone_date
    group by next_milestones.target_id, scoped.unit_code

),

actuals as (

    select
        next_milestones.target_id,
        next_milestones.milestone_date,
        next_milestones.target_value,
        next_milestones.line_start_date,
        next_milestones.pace_base_date,
        shares.unit_code,
        shares.subjects,
        shares.subjects_met,
        shares.pace_base_subjects,
        shares.pace_base_subjects_met,
        -- the region with no subject at all counts as met, as in mart_target_progress
        case
            when shares.unit_code is null and shares.subjects = 0 then 1.0
            else {{ safe_share('shares.subjects_met', 'shares.subjects') }}
        end as actual,
        {{ safe_share('shares.pace_base_subjects_met', 'shares.pace_base_subjects') }}
            as pace_base_actual,
        cast(
            {{ dbt.datediff('next_milestones.line_start_date', as_of_date(), 'day') }}
            as {{ type_double() }}
        ) as days_since_line_start,
        cast(
            {{ dbt.datediff('next_milestones.pace_base_date', as_of_date(), 'day') }}
            as {{ type_double() }}
        ) as days_since_pace_base,
        cast(
            {{ dbt.datediff(as_of_date(), 'next_milestones.milestone_date', 'day') }}
            as {{ type_double() }}
        ) as days_to_milestone,
        cast({{ dbt.datediff(
            'next_milestones.line_start_date', 'next_milestones.milestone_date', 'day'
        ) }} as {{ type_double() }}) as days_line
    from next_milestones
    inner join shares
        on next_milestones.target_id = shares.target_id
    -- a unit is listed when it has subjects at D (the region always)
    where shares.unit_code is null or shares.subjects > 0

),

paces as (

    select
        *,
        target_value * days_since_line_start / nullif(days_line, 0) as line_value,
        actual / nullif(days_since_line_start, 0) as line_daily_pace,
        (actual - pace_base_actual) / nullif(days_since_pace_base, 0) as recent_daily_pace
    from actuals

),

projected as (

    select
        *,
        least(actual + line_daily_pace * days_to_milestone, 1.0) as projected_line,
        least(greatest(actual + recent_daily_pace * days_to_milestone, 0.0), 1.0)
            as projected_recent,
        -- days from D until the goal is reached at each pace (0: reached already; NULL: never)
        case
            when actual >= target_value - 1e-9 then 0
            when line_daily_pace > 0 then ceil((target_value - actual) / line_daily_pace - 1e-9)
        end as days_to_goal_line,
        case
            when actual >= target_value - 1e-9 then 0
            when recent_daily_pace > 0
                then ceil((target_value - actual) / recent_daily_pace - 1e-9)
        end as days_to_goal_recent,
        -- a met date after the contract's horizon (2099-12-31) counts as never
        {{ dbt.datediff(as_of_date(), "cast('2099-12-31' as date)", 'day') }} as days_to_horizon
    from paces

),

met_dates as (

    select
        *,
        case
            when days_to_goal_line <= days_to_horizon
                then cast({{ dbt.dateadd(
                    'day', 'cast(days_to_goal_line as ' ~ dbt.type_int() ~ ')', as_of_date()
                ) }} as date)
        end as met_date_line,
        case
            when days_to_goal_recent <= days_to_horizon
                then cast({{ dbt.dateadd(
                    'day', 'cast(days_to_goal_recent as ' ~ dbt.type_int() ~ ')', as_of_date()
                ) }} as date)
        end as met_date_recent
    from projected

),

flagged as (

    select
        met_dates.*,
        met_dates.actual < met_dates.line_value - 1e-9 as is_below_line,
        met_dates.projected_line >= met_dates.target_value - 1e-9 as is_on_track_line,
        met_dates.projected_recent >= met_dates.target_value - 1e-9 as is_on_track_recent
    from met_dates

),

final as (

    select
        flagged.target_id,
        targets.target,
        flagged.unit_code,
        flagged.unit_code is null as is_region,
        flagged.milestone_date as next_milestone,
        flagged.target_value,
        flagged.line_start_date,
        flagged.pace_base_date,
        flagged.subjects,
        flagged.subjects_met,
        flagged.actual,
        flagged.line_value,
        flagged.pace_base_subjects,
        flagged.pace_base_subjects_met,
        flagged.pace_base_actual,
        flagged.line_daily_pace,
        flagged.recent_daily_pace,
        flagged.projected_line,
        flagged.projected_recent,
        flagged.met_date_line,
        flagged.met_date_recent,
        flagged.is_below_line,
        flagged.is_on_track_line,
        flagged.is_on_track_recent,
        flagged.unit_code is not null
        and coalesce(flagged.is_below_line, false)
        and coalesce(region.is_below_line, false) as is_dragging_region,
        {{ as_of_date() }} as as_of_date
    from flagged
    inner join targets
        on flagged.target_id = targets.target_id
    left join flagged as region
        on
            flagged.target_id = region.target_id
            and region.unit_code is null

)

select * from final
