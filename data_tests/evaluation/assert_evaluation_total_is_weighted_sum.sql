-- SPEC §7: total = Σ weight × score / 100 + deductions, floored at 0 (weights from the seed),
-- and deductions = the sum of their causes, each ≤ 0. Returns the rows that break it.
with

evaluation as (

    select * from {{ ref('mart_quarterly_evaluation') }}

),

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

weights as (

    {{ indicator_weights('unit', ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7']) }}

),

expected as (

    select
        evaluation.quarter,
        evaluation.unit_code,
        evaluation.total_score,
        evaluation.deductions,
        evaluation.deduction_major_accidents
        + evaluation.deduction_concealed
        + evaluation.deduction_listed_overdue as deductions_expected,
        greatest(
            0,
            (
                weights.weight_i1 * evaluation.i1_score
                + weights.weight_i2 * evaluation.i2_score
                + weights.weight_i3 * evaluation.i3_score
                + weights.weight_i4 * evaluation.i4_score
                + weights.weight_i5 * evaluation.i5_score
                + weights.weight_i6 * evaluation.i6_score
                + weights.weight_i7 * evaluation.i7_score
            ) / 100
            + evaluation.deductions
        ) as total_expected
    from evaluation
    cross join weights

),

final as (

    select * from expected
    where
        abs(total_score - total_expected) > 1e-9
        or abs(deductions - deductions_expected) > 1e-9
        or deductions > 0

)

select * from final
