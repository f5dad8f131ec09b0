-- every target milestone (SPEC §6) with the date its actual is computed at, e = min(milestone
-- date, D), and its windows: a yearly window runs Jan 1 → e of e's year (T2's of the milestone's
-- year). int_target_actuals and int_target_subjects both read it.
with

milestones as (

    select * from {{ ref('target_milestones') }}

),

final as (

    select
        target_id,
        milestone_date,
        least(milestone_date, {{ as_of_date() }}) as evaluation_date,
        {{ year_key('least(milestone_date, ' ~ as_of_date() ~ ')') }} as evaluation_year,
        cast(
            {{ dbt.date_trunc('year', 'least(milestone_date, ' ~ as_of_date() ~ ')') }} as date
        ) as window_start,
        cast({{ dbt.date_trunc('year', 'milestone_date') }} as date) as milestone_year_start
    from milestones

)

select * from final
