-- the seeded parameters of the evaluation (SPEC §7), one row: the accident grade deducted per
-- accident, the veto grades' ranks, the date training counts from, and the year from which 综合演练
-- leave the 四不 share. Seeds, so the 安委会 changes them without code.
with

deductions as (

    select * from {{ ref('evaluation_deductions') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

final as (

    select
        max(
            case
                when deductions.rule_id = 'deduction_major_accidents' then deductions.accident_grade
            end
        ) as deducted_accident_grade,
        max(
            case
                when deductions.rule_id = 'deduction_major_accidents'
                    then deductions.points_per_item
            end
        ) as points_per_larger_accident,
        max(
            case when deductions.rule_id = 'deduction_concealed' then deductions.points_per_item end
        ) as points_per_concealed_accident,
        max(
            case
                when deductions.rule_id = 'deduction_listed_overdue' then deductions.points_per_item
            end
        ) as points_per_listed_overdue,
        max(
            case when deductions.rule_id = 'deduction_listed_overdue' then deductions.cap_points end
        ) as cap_listed_overdue,
        max(parameters.training_since_date) as training_since_date,
        max(parameters.four_no_excludes_comprehensive_from_year)
            as four_no_excludes_comprehensive_from_year
    from deductions
    cross join parameters

)

select * from final
