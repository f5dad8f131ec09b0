-- 区直部门 晾晒考评 (SPEC §7, department variant): quarter × ranked department, from 2024Q1 to
-- the as-of quarter, on I1, I2, I4 and I5 weighted by the seed evaluation_indicators (scope
-- department). "Best" normalisers run over the ranked departments; no deductions, no veto; ties
-- (within 1e-9) by the higher I1 score, then the lower department code. A department that leads
-- no industry and owns no record in the year (Jan 1 → qe) is not ranked: its row (the grid carries
-- every department every quarter, SPEC §9) has is_ranked = false and no scores or rank.
with

counts as (

    select * from {{ ref('int_evaluation_department_counts') }}

),

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

departments as (

    select * from {{ ref('dim_department') }}

),

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

plan_tasks as (

    select * from {{ ref('int_plan_task_statuses') }}

),

overdue_plan_tasks as (

    -- shown beside the score, not weighted (SPEC §10.3 / issue 15): the department's plan tasks
    -- overdue (逾期未完成) at the quarter's end (D for the current quarter)
    select
        quarters.quarter,
        plan_tasks.department_code,
        count(*) as overdue_plan_tasks
    from quarters
    inner join plan_tasks
        on {{ plan_task_is_overdue_at(
            'plan_tasks.is_done', 'plan_tasks.completed_date', 'plan_tasks.due_date',
            'quarters.period_end'
        ) }}
    where plan_tasks.department_code is not null
    group by quarters.quarter, plan_tasks.department_code

),

weights as (

    {{ indicator_weights('department', ['I1', 'I2', 'I4', 'I5']) }}

),

valued as (

    select
        *,
        {{ safe_share('major_hazards_rectified', 'major_hazards') }} as i1_value,
        {{ safe_share('hazards_due_rectified_on_time', 'hazards_due') }} as i2_value,
        {{ safe_share('penalty_cases', 'inspections') }} as i4_value
    from counts
    where is_ranked

),

scored as (

    select
        *,
        max(i4_value) over (partition by quarter) as i4_best_value,
        {{ double_decline_met_count(
            'accidents_ytd', 'accidents_prev_ytd', 'deaths_ytd', 'deaths_prev_ytd'
        ) }} as i5_value,
        coalesce(100.0 * i1_value, 100.0) as i1_score,
        coalesce(100.0 * i2_value, 100.0) as i2_score,
        {{ double_decline_score(
            'accidents_ytd', 'accidents_prev_ytd', 'deaths_ytd', 'deaths_prev_ytd'
        ) }} as i5_score
    from valued

),

totalled as (

    select
        scored.*,
        {{ score_against_best('scored.i4_value', 'scored.i4_best_value', '0.0', '0.0') }}
            as i4_score,
        false as veto
    from scored

),

weighted as (

    select
        totalled.*,
        {{ weighted_score('weights', 'totalled', ['I1', 'I2', 'I4', 'I5']) }} as weighted_score
    from totalled
    cross join weights

),

with_total as (

    select
        *,
        {{ evaluation_total('weighted_score') }} as total_score
    from weighted

),

ranked as (

    {{ evaluation_ranked('with_total', 'department_code') }}

),

final as (

    select
        counts.quarter,
        counts.department_code,
        departments.department_name,
        departments.short_name,
        quarters.previous_quarter,
        quarters.year,
        counts.is_ranked,
        ranked.i1_value,
        ranked.i2_value,
        ranked.i4_value,
        ranked.i5_value,
        ranked.i1_score,
        ranked.i2_score,
        ranked.i4_score,
        ranked.i5_score,
        ranked.weighted_score,
        ranked.total_score,
        ranked.rank,
        previous.rank as prev_rank,
        previous.rank - ranked.rank as rank_change,
        counts.industries_led,
        counts.major_hazards,
        counts.major_hazards_rectified,
        counts.hazards_due,
        counts.hazards_due_rectified_on_time,
        counts.penalty_cases,
        counts.inspections,
        ranked.i4_best_value,
        counts.accidents_ytd,
        counts.accidents_prev_ytd,
        counts.deaths_ytd,
        counts.deaths_prev_ytd,
        quarters.is_complete,
        quarters.quarter_start,
        quarters.quarter_end,
        quarters.period_end as evaluated_as_of,
        coalesce(overdue_plan_tasks.overdue_plan_tasks, 0) as overdue_plan_tasks
    from counts
    inner join quarters
        on counts.quarter = quarters.quarter
    inner join departments
        on counts.department_code = departments.department_code
    left join ranked
        on
            counts.quarter = ranked.quarter
            and counts.department_code = ranked.department_code
    left join ranked as previous
        on
            quarters.previous_quarter = previous.quarter
            and counts.department_code = previous.department_code
    left join overdue_plan_tasks
        on
            counts.quarter = overdue_plan_tasks.quarter
            and counts.department_code = overdue_plan_tasks.department_code

)

select * from final
