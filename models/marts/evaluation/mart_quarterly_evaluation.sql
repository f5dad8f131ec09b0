-- 晾晒考评, 量化排名 (SPEC §7, §9 "Evaluation"): quarter × unit, every unit in every quarter from
-- 2024Q1 to the as-of quarter. Seven indicators scored 0–100, weighted by the seed
-- evaluation_indicators; deductions and veto by the seed evaluation_deductions; total floored at
-- 0; rank with the 1e-9 tie rule, the I1 tie-break and vetoed units last.
with

counts as (

    select * from {{ ref('int_evaluation_unit_counts') }}

),

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

parameters as (

    select * from {{ ref('int_evaluation_parameters') }}

),

weights as (

    {{ indicator_weights('unit', ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7']) }}

),

valued as (

    select
        *,
        {{ safe_share('major_hazards_rectified', 'major_hazards') }} as i1_value,
        {{ safe_share('hazards_due_rectified_on_time', 'hazards_due') }} as i2_value,
        {{ safe_share('hazards_found', 'active_enterprises') }} as i3_value,
        {{ safe_share('penalty_cases', 'inspections') }} as i4_value,
        {{ safe_share('active_enterprises_principal_trained', 'active_enterprises') }}
            as i6_value,
        {{ safe_share('four_no_drills_ytd', 'enterprise_drills_ytd') }} as i7_value
    from counts

),

normalised as (

    select
        *,
        max(i3_value) over (partition by quarter) as i3_best_value,
        max(i4_value) over (partition by quarter) as i4_best_value
    from valued

),

scored as (

    select
        normalised.*,
        {{ double_decline_met_count(
            'normalised.accidents_ytd',
            'normalised.accidents_prev_ytd',
            'normalised.deaths_ytd',
            'normalised.deaths_prev_ytd'
        ) }} as i5_value,
        coalesce(100.0 * normalised.i1_value, 100.0) as i1_score,
        coalesce(100.0 * normalised.i2_value, 100.0) as i2_score,
        {{ score_against_best('normalised.i3_value', 'normalised.i3_best_value', '0.0', '100.0') }}
            as i3_score,
        {{ score_against_best('normalised.i4_value', 'normalised.i4_best_value', '0.0', '0.0') }}
            as i4_score,
        {{ double_decline_score(
            'normalised.accidents_ytd',
            'normalised.accidents_prev_ytd',
            'normalised.deaths_ytd',
            'normalised.deaths_prev_ytd'
        ) }} as i5_score,
        coalesce(100.0 * normalised.i6_value, 0.0) as i6_score,
        case
            when normalised.i7_value is null then 0.0
            when coalesce(normalised.four_no_target, 0) <= 0 then 100.0
            else least(100.0, 100.0 * normalised.i7_value / normalised.four_no_target)
        end as i7_score
    from normalised

),

deducted as (

    select
        scored.*,
        case
            when coalesce(scored.larger_accidents, 0) = 0 then 0.0
            else scored.larger_accidents * parameters.points_per_larger_accident
        end as deduction_major_accidents,
        case
            when coalesce(scored.concealed_accidents, 0) = 0 then 0.0
            else scored.concealed_accidents * parameters.points_per_concealed_accident
        end as deduction_concealed,
        case
            when coalesce(scored.listed_overdue_major_hazards, 0) = 0 then 0.0
            -- the cap (a negative number) applies to this item alone
            else greatest(
                scored.listed_overdue_major_hazards * parameters.points_per_listed_overdue,
                coalesce(
                    parameters.cap_listed_overdue,
                    scored.listed_overdue_major_hazards * parameters.points_per_listed_overdue
                )
            )
        end as deduction_listed_overdue,
        {{ weighted_score('weights', 'scored', ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7']) }}
            as weighted_score,
        coalesce(scored.veto_accidents > 0, false) as veto
    from scored
    cross join weights
    cross join parameters

),

totalled as (

    select
        *,
        deduction_major_accidents + deduction_concealed + deduction_listed_overdue as deductions,
        {{ evaluation_total('weighted_score', [
            'deduction_major_accidents', 'deduction_concealed', 'deduction_listed_overdue'
        ]) }} as total_score
    from deducted

),

ranked as (

    {{ evaluation_ranked('totalled', 'unit_code') }}

),

final as (

    select
        ranked.quarter,
        ranked.unit_code,
        units.unit_name,
        quarters.previous_quarter,
        quarters.year,
        ranked.i1_value,
        ranked.i2_value,
        ranked.i3_value,
        ranked.i4_value,
        ranked.i5_value,
        ranked.i6_value,
        ranked.i7_value,
        ranked.i1_score,
        ranked.i2_score,
        ranked.i3_score,
        ranked.i4_score,
        ranked.i5_score,
        ranked.i6_score,
        ranked.i7_score,
        ranked.weighted_score,
        ranked.deduction_major_accidents,
        ranked.deduction_concealed,
        ranked.deduction_listed_overdue,
        ranked.deductions,
        ranked.total_score,
        ranked.rank,
        previous.rank as prev_rank,
        previous.rank - ranked.rank as rank_change,
        ranked.major_hazards,
        ranked.major_hazards_rectified,
        ranked.hazards_due,
        ranked.hazards_due_rectified_on_time,
        ranked.hazards_found,
        ranked.active_enterprises,
        ranked.i3_best_value,
        ranked.penalty_cases,
        ranked.inspections,
        ranked.i4_best_value,
        ranked.accidents_ytd,
        ranked.accidents_prev_ytd,
        ranked.deaths_ytd,
        ranked.deaths_prev_ytd,
        ranked.active_enterprises_principal_trained,
        ranked.enterprise_drills_ytd,
        ranked.four_no_drills_ytd,
        ranked.four_no_target,
        ranked.larger_accidents,
        ranked.concealed_accidents,
        ranked.listed_overdue_major_hazards,
        ranked.veto_accidents,
        ranked.veto,
        quarters.is_complete,
        quarters.quarter_start,
        quarters.quarter_end,
        quarters.period_end as evaluated_as_of
    from ranked
    inner join quarters
        on ranked.quarter = quarters.quarter
    inner join units
        on ranked.unit_code = units.unit_code
    left join ranked as previous
        on
            quarters.previous_quarter = previous.quarter
            and ranked.unit_code = previous.unit_code

)

select * from final
