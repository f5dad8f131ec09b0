-- one row per accident in its state as of D, graded by the seed thresholds (SPEC §4, §9)
with

accidents as (

    select * from {{ ref('int_accidents_current') }}

),

thresholds as (

    select * from {{ ref('accident_grade_thresholds') }}

),

counted as (

    select
        *,
        -- the statistical convention: the missing count as dead
        deaths_excl_missing + missing as deaths,
        cast(occurred_at as date) as occurred_date
    from accidents

),

graded as (

    -- the highest grade any criterion reaches (the lowest grade's thresholds are all 0)
    select
        counted.accident_id,
        max(thresholds.grade_rank) as grade_rank
    from counted
    inner join thresholds
        on {{ reaches_accident_grade('counted', 'thresholds') }}
    group by counted.accident_id

),

ranked as (

    select
        counted.*,
        graded.grade_rank,
        -- 报告 within 1 hour (art. 9), measured from the accident; exact minutes
        cast(
            {{ dbt.datediff('counted.occurred_at', 'counted.reported_at', 'second') }} as double
        ) / 60
            as report_delay_minutes,
        -- 60 days to the investigation report (art. 29) + 15 to its approval (art. 32)
        cast({{ dbt.dateadd('day', 75, 'counted.occurred_date') }} as date)
            as investigation_due_date
    from counted
    left join graded
        on counted.accident_id = graded.accident_id

),

final as (

    select
        ranked.accident_id,
        ranked.credit_code,
        ranked.unit_code,
        ranked.industry_code,
        ranked.lead_department_code,
        ranked.accident_type,
        ranked.accident_type_standard,
        ranked.reporting_group,
        thresholds.grade,
        ranked.grade_reported,
        {{ month_key('ranked.occurred_date') }} as month,
        {{ quarter_key('ranked.occurred_date') }} as quarter,
        {{ year_key('ranked.occurred_date') }} as year,
        ranked.grade_rank,
        ranked.deaths,
        ranked.deaths_excl_missing,
        ranked.missing,
        ranked.serious_injuries,
        ranked.minor_injuries,
        ranked.direct_loss_10k_yuan,
        ranked.report_delay_minutes,
        case
            when ranked.grade_reported is not null then ranked.grade_reported != thresholds.grade
        end as grade_mismatch,
        coalesce(ranked.report_delay_minutes > 60, false) as is_late_report,
        ranked.is_concealed,
        ranked.is_liability,
        ranked.grade_rank >= (
            select larger.grade_rank
            from thresholds as larger
            where larger.grade = '较大'
        ) as is_larger_or_above,
        coalesce(
            {{ as_of_date() }} > ranked.investigation_due_date
            and not coalesce(
                ranked.investigation_closed_date <= ranked.investigation_due_date, false
            ),
            false
        ) as is_investigation_overdue,
        ranked.is_known_enterprise,
        ranked.occurred_date,
        ranked.investigation_due_date,
        ranked.investigation_closed_date,
        ranked.occurred_at,
        ranked.reported_at,
        ranked.updated_at
    from ranked
    left join thresholds
        on ranked.grade_rank = thresholds.grade_rank

)

select * from final
