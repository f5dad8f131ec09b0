-- the subjects counted by the coverage targets that are a count of subjects (SPEC §6: T8, T9,
-- T12, T13), one row per target milestone × subject, as of e = min(milestone date, D) from the
-- state as of D, with whether the subject meets the target at e and, if not, the missing fact.
-- int_target_actuals computes these targets' shares from it, and mart_target_chase_list lists
-- its unmet rows: the list and the figure cannot drift apart.
with

evaluations as (

    select * from {{ ref('int_target_evaluations') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

training as (

    select * from {{ ref('int_training_facts') }}

),

drills as (

    select * from {{ ref('int_drills_facts') }}

),

reports as (

    select * from {{ ref('int_reports_facts') }}

),

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

enterprises_current as (

    select * from {{ ref('int_enterprises_current') }}

),

units as (

    select * from {{ ref('units') }}

),

departments as (

    select * from {{ ref('departments') }}

),

-- enterprises active at each evaluation date, in their state at that date
active_enterprises as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        evaluations.evaluation_year,
        evaluations.window_start,
        enterprise_states.credit_code,
        enterprise_states.unit_code,
        enterprise_states.is_high_risk
    from evaluations
    inner join enterprise_states
        on
            {{ is_state_at('enterprise_states', 'evaluations.evaluation_date') }}
            and enterprise_states.is_active
    where evaluations.target_id in ('T8', 'T9')

),

evacuation_drills as (

    select
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.evaluation_date,
        active_enterprises.evaluation_year,
        active_enterprises.credit_code,
        active_enterprises.unit_code,
        coalesce(active_enterprises.is_high_risk, false) as is_high_risk,
        count(drills.drill_id) > 0 as has_drill_in_year,
        count(drills.drill_id) filter (where month(drills.drill_date) <= 6) > 0 as has_drill_in_h1,
        count(drills.drill_id) filter (where month(drills.drill_date) > 6) > 0 as has_drill_in_h2,
        cast({{ dbt.dateadd(
            'day', -1, dbt.dateadd('month', 6, 'active_enterprises.window_start')
        ) }} as date) as h1_end,
        {{ dbt.last_day('active_enterprises.window_start', 'year') }} as year_end
    from active_enterprises
    left join drills
        on
            active_enterprises.credit_code = drills.credit_code
            and drills.is_enterprise_drill
            and drills.drill_type = '疏散逃生演练'
            and drills.drill_date between active_enterprises.window_start
            and active_enterprises.evaluation_date
    where active_enterprises.target_id = 'T8'
    group by
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.evaluation_date,
        active_enterprises.evaluation_year,
        active_enterprises.window_start,
        active_enterprises.credit_code,
        active_enterprises.unit_code,
        active_enterprises.is_high_risk

),

t8 as (

    -- a 疏散逃生演练 in the year; 高危 ones also one in each half ended by then
    select
        target_id,
        milestone_date,
        evaluation_date,
        '企业' as subject_type,
        credit_code as subject_id,
        credit_code,
        unit_code,
        case
            when not has_drill_in_year
                then concat(cast(evaluation_year as {{ dbt.type_string() }}), '年无疏散逃生演练')
            when is_high_risk and h1_end <= evaluation_date and not has_drill_in_h1
                then concat(
                    cast(evaluation_year as {{ dbt.type_string() }}), '年上半年无疏散逃生演练（高危）'
                )
            when is_high_risk and year_end <= evaluation_date and not has_drill_in_h2
                then concat(
                    cast(evaluation_year as {{ dbt.type_string() }}), '年下半年无疏散逃生演练（高危）'
                )
        end as missing
    from evacuation_drills

),

principal_trained as (

    select
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.evaluation_date,
        active_enterprises.credit_code,
        active_enterprises.unit_code,
        {{ principal_trained_by(
            'training',
            'active_enterprises.credit_code',
            'enterprises_current.principal_id_hash',
            'active_enterprises.evaluation_date',
            'parameters.training_since_date'
        ) }} as is_principal_trained
    from active_enterprises
    cross join parameters
    -- the principal on record at D (SPEC §9 "Evaluation")
    left join enterprises_current
        on active_enterprises.credit_code = enterprises_current.credit_code
    where active_enterprises.target_id = 'T9'

),

t9 as (

    select
        target_id,
        milestone_date,
        evaluation_date,
        '企业' as subject_type,
        credit_code as subject_id,
        credit_code,
        unit_code,
        case
            when not is_principal_trained then '主要负责人未经专题培训合格'
        end as missing
    from principal_trained

),

t12 as (

    -- reports old enough: verified and, unless anonymous, answered by the date
    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        '举报' as subject_type,
        reports.report_id as subject_id,
        reports.credit_code,
        reports.unit_code,
        case
            when not coalesce(reports.is_verified, false)
                then concat(
                    '受理满',
                    cast(parameters.report_closure_min_age_days as {{ dbt.type_string() }}),
                    '日未核查'
                )
            when
                not coalesce(reports.is_anonymous, false)
                and coalesce(reports.feedback_date > evaluations.evaluation_date, true)
                then concat(
                    '受理满',
                    cast(parameters.report_closure_min_age_days as {{ dbt.type_string() }}),
                    '日已核查未反馈'
                )
        end as missing
    from evaluations
    cross join parameters
    inner join reports
        on
            reports.received_date <= {{ dbt.dateadd(
                'day', '-parameters.report_closure_min_age_days', 'evaluations.evaluation_date'
            ) }}
    where evaluations.target_id = 'T12'

),

organisers as (

    select
        '镇街' as organiser_type,
        unit_code as organiser_code,
        unit_code
    from units
    union all
    select
        '区直部门' as organiser_type,
        department_code as organiser_code,
        cast(null as {{ dbt.type_string() }}) as unit_code
    from departments

),

special_drill_organisers as (

    select distinct
        evaluations.target_id,
        evaluations.milestone_date,
        drills.organiser_type,
        case drills.organiser_type
            when '镇街' then coalesce(drills.organiser_unit_code, drills.unit_code)
            else drills.organiser_department_code
        end as organiser_code
    from evaluations
    inner join drills
        on
            drills.organiser_type in ('镇街', '区直部门')
            and drills.drill_type = '专项演练'
            and drills.drill_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T13'

),

t13 as (

    -- units and departments that organised a 专项演练 in the year, each drill for its organiser
    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        organisers.organiser_type as subject_type,
        organisers.organiser_code as subject_id,
        cast(null as {{ dbt.type_string() }}) as credit_code,
        organisers.unit_code,
        case
            when special_drill_organisers.organiser_code is null
                then concat(
                    cast(evaluations.evaluation_year as {{ dbt.type_string() }}),
                    '年无专项应急预案演练'
                )
        end as missing
    from evaluations
    cross join organisers
    left join special_drill_organisers
        on
            evaluations.target_id = special_drill_organisers.target_id
            and evaluations.milestone_date = special_drill_organisers.milestone_date
            and organisers.organiser_type = special_drill_organisers.organiser_type
            and organisers.organiser_code = special_drill_organisers.organiser_code
    where evaluations.target_id = 'T13'

),

-- T14 (SPEC §10.3, §10.5): at each milestone, the enterprises every requirement due on or
-- before it requires at e (int_monitoring_subjects: active at e, in the population), one row per
-- enterprise with the systems not connected at e
monitoring_subjects as (

    select * from {{ ref('int_monitoring_subjects') }}

),

t14 as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        '企业' as subject_type,
        monitoring_subjects.credit_code as subject_id,
        monitoring_subjects.credit_code,
        max(monitoring_subjects.unit_code) as unit_code,
        case
            when count(*) filter (where not monitoring_subjects.is_connected) > 0
                then concat(
                    '未接入监测预警系统：',
                    {{ dbt.listagg(
                        "case when not monitoring_subjects.is_connected"
                            ~ " then monitoring_subjects.system end",
                        "'、'",
                        "order by case when not monitoring_subjects.is_connected"
                            ~ " then monitoring_subjects.system end"
                    ) }}
                )
        end as missing
    from evaluations
    inner join monitoring_subjects
        on
            evaluations.milestone_date >= monitoring_subjects.due_date
            and evaluations.evaluation_date = monitoring_subjects.measured_on
    where evaluations.target_id = 'T14'
    group by
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        monitoring_subjects.credit_code

),

-- T15: the enterprises with a required self-inspection period in the milestone's quarter that
-- ended by e, with the periods that hold no 主要负责人-led 自查
self_inspection_periods as (

    select * from {{ ref('int_self_inspection_periods') }}

),

t15 as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        '企业' as subject_type,
        self_inspection_periods.credit_code as subject_id,
        self_inspection_periods.credit_code,
        max(self_inspection_periods.unit_code) as unit_code,
        case
            when count(*) filter (where not self_inspection_periods.is_compliant) > 0
                then concat(
                    {{ dbt.listagg(
                        "case when not self_inspection_periods.is_compliant then "
                            ~ month_key('self_inspection_periods.period_start') ~ " end",
                        "'、'",
                        "order by case when not self_inspection_periods.is_compliant then "
                            ~ month_key('self_inspection_periods.period_start') ~ " end"
                    ) }},
                    '起的自查周期内无主要负责人带队自查'
                )
        end as missing
    from evaluations
    inner join self_inspection_periods
        on
            {{ quarter_key('evaluations.milestone_date') }} = self_inspection_periods.quarter
            and evaluations.evaluation_date >= self_inspection_periods.period_end
    where evaluations.target_id = 'T15'
    group by
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        self_inspection_periods.credit_code

),

subjects as (

    select * from t8
    union all
    select * from t9
    union all
    select * from t12
    union all
    select * from t13
    union all
    select * from t14
    union all
    select * from t15

),

final as (

    select
        target_id,
        milestone_date,
        evaluation_date,
        subject_type,
        subject_id,
        credit_code,
        unit_code,
        missing is null as is_met,
        missing
    from subjects

)

select * from final
