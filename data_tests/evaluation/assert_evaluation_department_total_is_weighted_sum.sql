-- SPEC §7 department variant: total = Σ weight × score / 100 over I1, I2, I4, I5 (no deductions)
-- for every ranked department; an unranked one has neither total nor rank
with

evaluation as (

    select * from {{ ref('mart_quarterly_evaluation_by_department') }}

),

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

weights as (

    {{ indicator_weights('department', ['I1', 'I2', 'I4', 'I5']) }}

),

final as (

    select
        evaluation.quarter,
        evaluation.department_code,
        evaluation.total_score
    from evaluation
    cross join weights
    where
        (
            evaluation.is_ranked
            and (
                evaluation.rank is null
                or abs(
                    evaluation.total_score
                    - (
                        weights.weight_i1 * evaluation.i1_score
                        + weights.weight_i2 * evaluation.i2_score
                        + weights.weight_i4 * evaluation.i4_score
                        + weights.weight_i5 * evaluation.i5_score
                    ) / 100
                ) > 1e-9
            )
        )
        or (
            not evaluation.is_ranked
            and (evaluation.total_score is not null or evaluation.rank is not null)
        )

)

select * from final
