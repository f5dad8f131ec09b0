-- SPEC §7 department variant: total = Σ weight × score / 100 over I1, I2, I4, I5 (no deductions)
with

evaluation as (

    select * from {{ ref('mart_quarterly_evaluation_by_department') }}

),

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

weights as (

    select
        {{ indicator_weight('I1') }} as weight_i1,
        {{ indicator_weight('I2') }} as weight_i2,
        {{ indicator_weight('I4') }} as weight_i4,
        {{ indicator_weight('I5') }} as weight_i5
    from indicators
    where scope = 'department'

),

final as (

    select
        evaluation.quarter,
        evaluation.department_code,
        evaluation.total_score
    from evaluation
    cross join weights
    where
        abs(
            evaluation.total_score
            - (
                weights.weight_i1 * evaluation.i1_score
                + weights.weight_i2 * evaluation.i2_score
                + weights.weight_i4 * evaluation.i4_score
                + weights.weight_i5 * evaluation.i5_score
            ) / 100
        ) > 1e-9

)

select * from final
