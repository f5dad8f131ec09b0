-- every target milestone (SPEC §6) with the date its actual is computed at, e = min(milestone
-- date, D), and its windows: a yearly window runs Jan 1 → e of e's year (T2's of the milestone's
-- year). int_target_actuals and int_target_subjects both read it.
-- Plus, for the milestone now worked towards (the earliest after D), one pace-base row
-- (is_pace_base): the same rules evaluated at b = D − 6 months (the last two quarters), not before
-- the plan's start nor, for a yearly target, before Jan 1 of D's year — mart_target_forecast's
-- pace. Every other reader keeps only the milestone rows (macro is_milestone_evaluation).
with

milestones as (

    select * from {{ ref('target_milestones') }}

),

targets as (

    select * from {{ ref('targets') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

milestone_dates as (

    select
        target_id,
        milestone_date,
        least(milestone_date, {{ as_of_date() }}) as evaluation_date,
        false as is_pace_base
    from milestones

),

pace_base_candidates as (

    select
        milestones.target_id,
        milestones.milestone_date,
        greatest(
            cast({{ dbt.dateadd('month', -6, as_of_date()) }} as date),
            parameters.plan_start_date,
            case
                when targets.judged_by = 'year_so_far'
                    then cast({{ dbt.date_trunc('year', as_of_date()) }} as date)
                else parameters.plan_start_date
            end
        ) as evaluation_date,
        true as is_pace_base
    from milestones
    inner join targets
        on milestones.target_id = targets.target_id
    cross join parameters
    where milestones.milestone_date > {{ as_of_date() }}

),

pace_bases as (

    -- the milestone now worked towards (the first after D) of each target
    {{ keep_first('pace_base_candidates', 'target_id', 'milestone_date') }}

),

evaluation_dates as (

    select * from milestone_dates
    union all
    -- a base on D itself (D = the line's start) gives no pace, and would repeat e = D
    select * from pace_bases
    where evaluation_date < {{ as_of_date() }}

),

final as (

    select
        target_id,
        milestone_date,
        evaluation_date,
        {{ year_key('evaluation_date') }} as evaluation_year,
        cast({{ dbt.date_trunc('year', 'evaluation_date') }} as date) as window_start,
        cast({{ dbt.date_trunc('year', 'milestone_date') }} as date) as milestone_year_start,
        is_pace_base
    from evaluation_dates

)

select * from final
