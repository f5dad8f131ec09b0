-- 培训与演练 by unit: one row per year × unit from 2024 to the as-of year, each as of
-- t = min(year end, D): 主要负责人专题培训 coverage of the enterprises active at t (plan §二.1, SPEC
-- §9 I6), special-operation certificates due within the window (seed) of t, drills in the year up
-- to t and the 企业“四不”演练 share against that year's T6 target (plan §二.19). The principal is
-- the one on record at t (SPEC §9 "Evaluation").
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

training as (

    select * from {{ ref('fct_training') }}

),

drills as (

    select * from {{ ref('fct_drills') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

milestones as (

    select * from {{ ref('target_milestones') }}

),

years as (

    select distinct
        year,
        year_start,
        year_as_of
    from periods
    where year >= {{ plan_first_year() }}

),

grid as (

    select
        years.year,
        years.year_start,
        years.year_as_of,
        units.unit_code
    from years
    cross join units

),

principal_trainings as (

    -- 主要负责人专题培训 passed since the plan's start
    select
        training.credit_code,
        training.person_key,
        training.training_date,
        training.is_principal_training_passed
    from training
    where training.is_principal_training_passed

),

active_enterprises as (

    -- enterprises active at t (one state each), and whether the principal on record at t (the
    -- person whose ID the state at t records, where it records one) passed the training between
    -- its start and t
    select
        years.year,
        enterprise_states.unit_code,
        enterprise_states.credit_code,
        {{ principal_trained_by(
            'principal_trainings',
            'enterprise_states.credit_code',
            'enterprise_states.principal_id_hash',
            'years.year_as_of',
            'parameters.training_since_date'
        ) }} as is_principal_trained
    from years
    cross join parameters
    inner join enterprise_states
        on
            {{ is_state_at('enterprise_states', 'years.year_as_of') }}
            and enterprise_states.is_active

),

coverage as (

    select
        year,
        unit_code,
        count(*) as active_enterprises,
        count(*) filter (where is_principal_trained) as principal_trained_enterprises
    from active_enterprises
    group by year, unit_code

),

valid_certificates as (

    -- the certificates known at t and still valid at t
    select
        years.year,
        years.year_as_of,
        training.training_id,
        training.person_key,
        training.special_work_type,
        training.unit_code,
        training.certificate_review_date,
        training.certificate_valid_until,
        training.training_date
    from years
    inner join training
        on
            training.training_type = '特种作业操作证'
            and years.year_as_of <= training.certificate_valid_until
            and years.year_as_of >= training.training_date

),

-- each person's latest of them per work type (the record id settles a full tie)
certificates as (

    {{ keep_first(
        'valid_certificates',
        'year, person_key, special_work_type',
        'certificate_valid_until desc nulls last, training_date desc nulls last, training_id'
    ) }}

),

certificates_due as (

    select
        certificates.year,
        certificates.unit_code,
        count(*) as certificates_due
    from certificates
    cross join parameters
    where
        -- the next due date after t: the 复审 if not yet past, else the validity end
        case
            when certificates.certificate_review_date >= certificates.year_as_of
                then certificates.certificate_review_date
            else certificates.certificate_valid_until
        end
        <= {{ dbt.dateadd(
            'day', 'parameters.certificate_due_window_days', 'certificates.year_as_of'
        ) }}
    group by certificates.year, certificates.unit_code

),

drill_counts as (

    select
        years.year,
        drills.unit_code,
        count(*) as drills,
        count(*) filter (where drills.is_enterprise_drill) as enterprise_drills,
        count(*) filter (
            where {{ is_four_no_eligible(
                'drills', 'years.year', 'parameters.four_no_excludes_comprehensive_from_year'
            ) }}
        ) as four_no_eligible_drills,
        count(*) filter (
            where
                {{ is_four_no_eligible(
                    'drills', 'years.year', 'parameters.four_no_excludes_comprehensive_from_year'
                ) }}
            and drills.is_four_no
        ) as four_no_drills
    from years
    cross join parameters
    inner join drills
        on drills.drill_date between years.year_start and years.year_as_of
    group by years.year, drills.unit_code

),

four_no_targets as (

    -- that year's T6 target (the last earlier milestone for a year without one)
    {{ target_value_by_year('years', 'milestones', 'T6', 'four_no_target') }}

),

counted as (

    select
        grid.year,
        grid.unit_code,
        coalesce(coverage.active_enterprises, 0) as active_enterprises,
        coalesce(coverage.principal_trained_enterprises, 0) as principal_trained_enterprises,
        coalesce(certificates_due.certificates_due, 0) as certificates_due,
        coalesce(drill_counts.drills, 0) as drills,
        coalesce(drill_counts.enterprise_drills, 0) as enterprise_drills,
        coalesce(drill_counts.four_no_eligible_drills, 0) as four_no_eligible_drills,
        coalesce(drill_counts.four_no_drills, 0) as four_no_drills,
        four_no_targets.four_no_target,
        grid.year_start,
        grid.year_as_of
    from grid
    left join coverage
        on
            grid.year = coverage.year
            and grid.unit_code = coverage.unit_code
    left join certificates_due
        on
            grid.year = certificates_due.year
            and grid.unit_code = certificates_due.unit_code
    left join drill_counts
        on
            grid.year = drill_counts.year
            and grid.unit_code = drill_counts.unit_code
    left join four_no_targets
        on grid.year = four_no_targets.year

),

final as (

    select
        year,
        unit_code,
        active_enterprises,
        principal_trained_enterprises,
        {{ safe_share('principal_trained_enterprises', 'active_enterprises') }}
            as principal_training_coverage,
        certificates_due,
        drills,
        enterprise_drills,
        four_no_eligible_drills,
        four_no_drills,
        {{ safe_share('four_no_drills', 'four_no_eligible_drills') }} as four_no_share,
        four_no_target,
        year_start,
        year_as_of
    from counted

)

select * from final
