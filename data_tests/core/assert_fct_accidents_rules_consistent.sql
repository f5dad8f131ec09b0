-- SPEC §9 "Accidents": deaths count the missing, the grade is the highest threshold reached,
-- the reporting and investigation flags follow their definitions
with

accidents as (

    select * from {{ ref('fct_accidents') }}

),

thresholds as (

    select * from {{ ref('accident_grade_thresholds') }}

),

reached as (

    select
        accidents.accident_id,
        max(thresholds.grade_rank) as expected_rank
    from accidents
    inner join thresholds
        on
            accidents.deaths >= thresholds.min_deaths
            or accidents.serious_injuries >= thresholds.min_serious_injuries
            or coalesce(accidents.direct_loss_10k_yuan, 0) >= thresholds.min_direct_loss_10k_yuan
    group by accidents.accident_id

),

final as (

    select
        accidents.accident_id,
        accidents.grade,
        reached.expected_rank
    from accidents
    left join reached
        on accidents.accident_id = reached.accident_id
    where
        accidents.occurred_at >= {{ dbt.dateadd('day', 1, as_of_date()) }}
        or accidents.deaths != accidents.deaths_excl_missing + accidents.missing
        or reached.expected_rank is null
        or accidents.grade_rank != reached.expected_rank
        or (accidents.grade_reported is null and accidents.grade_mismatch is not null)
        or (accidents.grade_reported is not null and accidents.grade_mismatch is null)
        or accidents.is_late_report != coalesce(accidents.report_delay_minutes > 60, false)
        or accidents.investigation_due_date
        != cast({{ dbt.dateadd('day', 75, 'accidents.occurred_date') }} as date)

)

select * from final
