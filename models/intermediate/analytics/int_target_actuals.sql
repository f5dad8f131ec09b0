-- the actual figure of every target milestone (SPEC §6), as of e = min(milestone date, D) from the
-- state as of D. A yearly window runs Jan 1 → e of e's year (T2's of the milestone's year).
-- prev_value: T2's bound (the same span a year before); start_value: the straight line's start
-- for a count that must fall (T3 at the plan's start).
with

milestones as (

    select * from {{ ref('target_milestones') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

hazards as (

    select * from {{ ref('int_hazards_facts') }}

),

accidents as (

    select * from {{ ref('int_accidents_facts') }}

),

accidents_by_year as (

    select * from {{ ref('int_accidents_compared_by_year') }}

),

inspections as (

    select * from {{ ref('int_inspections_facts') }}

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

industries as (

    select * from {{ ref('industries') }}

),

units as (

    select * from {{ ref('units') }}

),

departments as (

    select * from {{ ref('departments') }}

),

evaluations as (

    select
        target_id,
        milestone_date,
        least(milestone_date, {{ as_of_date() }}) as evaluation_date,
        {{ year_key('least(milestone_date, ' ~ as_of_date() ~ ')') }} as evaluation_year,
        cast(
            {{ dbt.date_trunc('year', 'least(milestone_date, ' ~ as_of_date() ~ ')') }} as date
        ) as window_start,
        cast({{ dbt.date_trunc('year', 'milestone_date') }} as date) as milestone_year_start
    from milestones

),

-- enterprises active at each evaluation date, in their state at that date
active_enterprises as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        enterprise_states.credit_code,
        enterprise_states.industry_code,
        enterprise_states.standardization_level,
        enterprise_states.is_high_risk
    from evaluations
    inner join enterprise_states
        on
            {{ is_state_at('enterprise_states', 'evaluations.evaluation_date') }}
            and enterprise_states.is_active
    where evaluations.target_id in ('T8', 'T9', 'T10')

),

t1 as (

    -- 存量重大隐患 (found on or before the cut-off) rectified by the date; none left: 100%
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where '
                    ~ hazard_is_rectified_by('hazards', 'evaluations.evaluation_date') ~ ')',
                'count(hazards.hazard_id)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join hazards
        on
            hazards.is_major
            and parameters.stock_cutoff_date >= hazards.found_date
    where evaluations.target_id = 'T1'
    group by evaluations.target_id, evaluations.milestone_date

),

t2 as (

    -- 重大隐患 found in the milestone's year so far, against the same span of the year before
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(*) filter (
            where hazards.found_date between evaluations.milestone_year_start
            and evaluations.evaluation_date
        ) as actual,
        count(*) filter (
            where hazards.found_date
            between {{ dbt.dateadd('year', -1, 'evaluations.milestone_year_start') }}
            and {{ dbt.dateadd('year', -1, 'evaluations.evaluation_date') }}
        ) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join hazards
        on hazards.is_major
    where evaluations.target_id = 'T2'
    group by evaluations.target_id, evaluations.milestone_date

),

t3 as (

    -- 重大隐患 open and overdue at the date; the line starts from the count at the plan's start
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(*) filter (
            where {{ hazard_is_open_overdue_at('hazards', 'evaluations.evaluation_date') }}
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        count(*) filter (
            where {{ hazard_is_open_overdue_at('hazards', 'parameters.plan_start_date') }}
        ) as start_value
    from evaluations
    cross join parameters
    left join hazards
        on hazards.is_major
    where evaluations.target_id = 'T3'
    group by evaluations.target_id, evaluations.milestone_date

),

t4 as (

    -- the region's 双下降 for the year (like for like in the as-of year): 1 met, 0 not
    select
        evaluations.target_id,
        evaluations.milestone_date,
        case
            when
                {{ is_decline_met(
                    'coalesce(sum(accidents_by_year.accidents), 0)',
                    'coalesce(sum(accidents_by_year.prev_accidents), 0)'
                ) }}
                and {{ is_decline_met(
                    'coalesce(sum(accidents_by_year.deaths), 0)',
                    'coalesce(sum(accidents_by_year.prev_deaths), 0)'
                ) }}
                then 1
            else 0
        end as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join accidents_by_year
        on evaluations.evaluation_year = accidents_by_year.year
    where evaluations.target_id = 'T4'
    group by evaluations.target_id, evaluations.milestone_date

),

t5 as (

    -- liability accidents of derived grade 较大 or worse in the year so far
    select
        evaluations.target_id,
        evaluations.milestone_date,
        count(accidents.accident_id) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join accidents
        on
            accidents.is_liability
            and accidents.is_larger_or_above
            and accidents.occurred_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T5'
    group by evaluations.target_id, evaluations.milestone_date

),

t6 as (

    -- share of the year's 企业 drills that are 四不 (from 2026 on without 综合演练); none: 0
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where drills.is_four_no)',
                'count(drills.drill_id)'
            ) }},
            0.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join drills
        on
            {{ is_four_no_eligible(
                'drills',
                'evaluations.evaluation_year',
                'parameters.four_no_excludes_comprehensive_from_year'
            ) }}
            and drills.drill_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T6'
    group by evaluations.target_id, evaluations.milestone_date

),

t7 as (

    -- distinct people with a passed 工伤预防能力提升培训 since the plan's start ÷ the task size
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share(
            'count(distinct training.person_key)',
            'max(parameters.work_injury_training_task_people)'
        ) }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join training
        on
            training.training_type = '工伤预防能力提升培训'
            and training.is_passed
            and training.training_date between parameters.training_since_date
            and evaluations.evaluation_date
    where evaluations.target_id = 'T7'
    group by evaluations.target_id, evaluations.milestone_date

),

evacuation_drills as (

    select
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.credit_code,
        active_enterprises.is_high_risk,
        evaluations.evaluation_date,
        count(drills.drill_id) > 0 as has_drill_in_year,
        count(drills.drill_id) filter (where month(drills.drill_date) <= 6) > 0 as has_drill_in_h1,
        count(drills.drill_id) filter (where month(drills.drill_date) > 6) > 0 as has_drill_in_h2,
        cast({{ dbt.dateadd(
            'day', -1, dbt.dateadd('month', 6, 'evaluations.window_start')
        ) }} as date) as h1_end,
        {{ dbt.last_day('evaluations.window_start', 'year') }} as year_end
    from active_enterprises
    inner join evaluations
        on
            active_enterprises.target_id = evaluations.target_id
            and active_enterprises.milestone_date = evaluations.milestone_date
    left join drills
        on
            active_enterprises.credit_code = drills.credit_code
            and drills.is_enterprise_drill
            and drills.drill_type = '疏散逃生演练'
            and drills.drill_date between evaluations.window_start
            and evaluations.evaluation_date
    where active_enterprises.target_id = 'T8'
    group by
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.credit_code,
        active_enterprises.is_high_risk,
        evaluations.evaluation_date,
        evaluations.window_start

),

t8 as (

    -- active enterprises with a 疏散逃生演练 in the year; 高危 ones also in each half ended by then
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where evacuation_drills.has_drill_in_year'
                    ~ ' and (not evacuation_drills.is_high_risk or ('
                    ~ '(evacuation_drills.h1_end > evacuation_drills.evaluation_date'
                    ~ ' or evacuation_drills.has_drill_in_h1)'
                    ~ ' and (evacuation_drills.year_end > evacuation_drills.evaluation_date'
                    ~ ' or evacuation_drills.has_drill_in_h2))))',
                'count(evacuation_drills.credit_code)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join evacuation_drills
        on
            evaluations.target_id = evacuation_drills.target_id
            and evaluations.milestone_date = evacuation_drills.milestone_date
    where evaluations.target_id = 'T8'
    group by evaluations.target_id, evaluations.milestone_date

),

principal_trained as (

    select
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.credit_code,
        count(training.training_id) > 0 as is_principal_trained
    from active_enterprises
    inner join evaluations
        on
            active_enterprises.target_id = evaluations.target_id
            and active_enterprises.milestone_date = evaluations.milestone_date
    cross join parameters
    -- the principal on record at D (SPEC §9 "Evaluation")
    left join enterprises_current
        on active_enterprises.credit_code = enterprises_current.credit_code
    left join training
        on
            active_enterprises.credit_code = training.credit_code
            and evaluations.evaluation_date >= training.training_date
            and {{ is_principal_training_of(
                'training', 'enterprises_current.principal_id_hash', 'parameters.training_since_date'
            ) }}
    where active_enterprises.target_id = 'T9'
    group by
        active_enterprises.target_id,
        active_enterprises.milestone_date,
        active_enterprises.credit_code

),

t9 as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where principal_trained.is_principal_trained)',
                'count(principal_trained.credit_code)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join principal_trained
        on
            evaluations.target_id = principal_trained.target_id
            and evaluations.milestone_date = principal_trained.milestone_date
    where evaluations.target_id = 'T9'
    group by evaluations.target_id, evaluations.milestone_date

),

t10 as (

    -- active 非煤矿山 and 民爆 enterprises at 一级 or 二级
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                "count(*) filter (where active_enterprises.standardization_level in ('一级', '二级'))",
                'count(active_enterprises.credit_code)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    left join active_enterprises
        on
            evaluations.target_id = active_enterprises.target_id
            and evaluations.milestone_date = active_enterprises.milestone_date
            and active_enterprises.industry_code in (
                select industries.industry_code from industries
                where industries.industry_name in ('非煤矿山', '民爆')
            )
    where evaluations.target_id = 'T10'
    group by evaluations.target_id, evaluations.milestone_date

),

unit_count as (

    select count(*) as units from units

),

non_site_units as (

    -- by the unit's OWN enforcement (执法部门 = the unit or an alias), wherever it inspected
    select distinct
        evaluations.target_id,
        evaluations.milestone_date,
        inspections.enforcing_unit_code as unit_code
    from evaluations
    inner join inspections
        on
            inspections.is_non_site
            and inspections.inspection_date between evaluations.window_start
            and evaluations.evaluation_date
    where evaluations.target_id = 'T11'

),

t11 as (

    -- units whose own enforcement made at least one 非现场执法 inspection in the year
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share('count(non_site_units.unit_code)', 'max(unit_count.units)') }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join unit_count
    left join non_site_units
        on
            evaluations.target_id = non_site_units.target_id
            and evaluations.milestone_date = non_site_units.milestone_date
            and non_site_units.unit_code in (select units.unit_code from units)
    where evaluations.target_id = 'T11'
    group by evaluations.target_id, evaluations.milestone_date

),

t12 as (

    -- reports old enough: verified and, unless anonymous, answered by the date; none: 100%
    select
        evaluations.target_id,
        evaluations.milestone_date,
        coalesce(
            {{ safe_share(
                'count(*) filter (where reports.is_verified and (reports.is_anonymous'
                    ~ ' or reports.feedback_date <= evaluations.evaluation_date))',
                'count(reports.report_id)'
            ) }},
            1.0
        ) as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join parameters
    left join reports
        on
            reports.received_date <= {{ dbt.dateadd(
                'day', '-parameters.report_closure_min_age_days', 'evaluations.evaluation_date'
            ) }}
    where evaluations.target_id = 'T12'
    group by evaluations.target_id, evaluations.milestone_date

),

organisers as (

    select
        'unit' as organiser_kind,
        unit_code as organiser_code
    from units
    union all
    select
        'department' as organiser_kind,
        department_code as organiser_code
    from departments

),

organiser_count as (

    select count(*) as organisers from organisers

),

special_drill_organisers as (

    select distinct
        evaluations.target_id,
        evaluations.milestone_date,
        organisers.organiser_kind,
        organisers.organiser_code
    from evaluations
    inner join drills
        on
            drills.organiser_type in ('镇街', '区直部门')
            and drills.drill_type = '专项演练'
            and drills.drill_date between evaluations.window_start
            and evaluations.evaluation_date
    inner join organisers
        on
            organisers.organiser_kind
            = case drills.organiser_type when '镇街' then 'unit' else 'department' end
            and organisers.organiser_code
            = case drills.organiser_type
                when '镇街' then coalesce(drills.organiser_unit_code, drills.unit_code)
                else drills.organiser_department_code
            end
    where evaluations.target_id = 'T13'

),

t13 as (

    -- units and departments that organised a 专项演练 in the year
    select
        evaluations.target_id,
        evaluations.milestone_date,
        {{ safe_share(
            'count(special_drill_organisers.organiser_code)', 'max(organiser_count.organisers)'
        ) }} as actual,
        cast(null as {{ type_double() }}) as prev_value,
        cast(null as {{ type_double() }}) as start_value
    from evaluations
    cross join organiser_count
    left join special_drill_organisers
        on
            evaluations.target_id = special_drill_organisers.target_id
            and evaluations.milestone_date = special_drill_organisers.milestone_date
    where evaluations.target_id = 'T13'
    group by evaluations.target_id, evaluations.milestone_date

),

actuals as (

    {% for t in range(1, 14) -%}
        select
            target_id,
            milestone_date,
            cast(actual as {{ type_double() }}) as actual,
            cast(prev_value as {{ type_double() }}) as prev_value,
            cast(start_value as {{ type_double() }}) as start_value
        from t{{ t }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

final as (

    select
        evaluations.target_id,
        evaluations.milestone_date,
        evaluations.evaluation_date,
        evaluations.evaluation_year,
        actuals.actual,
        actuals.prev_value,
        actuals.start_value
    from evaluations
    left join actuals
        on
            evaluations.target_id = actuals.target_id
            and evaluations.milestone_date = actuals.milestone_date

)

select * from final
