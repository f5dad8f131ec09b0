-- every required self-inspection period of every enterprise (SPEC §10.5 "Self-inspection"): the
-- frequency (seed self_inspection_frequency: monthly for is_high_risk, else quarterly) follows
-- the enterprise's state as of D; a period is required when it ended by D (a period ending on D
-- has ended) and the enterprise was active at its end. is_compliant: a 自查 led by the 主要负责人
-- dated in the period. Quarters from the plan's first year; a period lies inside one quarter.
with

months as (

    select * from {{ ref('int_periods_enumerated') }}

),

enterprises as (

    select * from {{ ref('int_prevention_enterprises') }}

),

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

frequency as (

    select * from {{ ref('self_inspection_frequency') }}

),

self_inspections as (

    select * from {{ ref('int_self_inspections_current') }}

),

periods as (

    select distinct
        frequency.period_months,
        months.quarter,
        months.quarter_start,
        months.quarter_end,
        cast({{ dbt.dateadd(
            'month',
            '-((month(months.month_start) - 1) % frequency.period_months)',
            'months.month_start'
        ) }} as date) as period_start
    from months
    cross join frequency
    where months.year >= {{ plan_first_year() }}

),

bounded as (

    select
        *,
        {{ dbt.last_day(
            dbt.dateadd('month', 'period_months - 1', 'period_start'), 'month'
        ) }} as period_end
    from periods

),

required as (

    select
        bounded.quarter,
        bounded.quarter_start,
        bounded.quarter_end,
        bounded.period_start,
        bounded.period_end,
        enterprises.credit_code,
        enterprises.enterprise_name,
        enterprises.unit_code,
        coalesce(enterprises.is_high_risk, false) as is_high_risk
    from enterprises
    inner join frequency
        on coalesce(enterprises.is_high_risk, false) = frequency.is_high_risk
    inner join bounded
        on
            frequency.period_months = bounded.period_months
            and bounded.period_end <= {{ as_of_date() }}
    inner join enterprise_states
        on
            enterprises.credit_code = enterprise_states.credit_code
            and {{ is_state_at('enterprise_states', 'bounded.period_end') }}
            and enterprise_states.is_active

),

final as (

    select
        required.quarter,
        required.quarter_start,
        required.quarter_end,
        required.period_start,
        required.period_end,
        required.credit_code,
        required.enterprise_name,
        required.unit_code,
        required.is_high_risk,
        count(self_inspections.self_inspection_id) > 0 as is_compliant
    from required
    left join self_inspections
        on
            required.credit_code = self_inspections.credit_code
            and self_inspections.inspection_date between required.period_start
            and required.period_end
            and {{ self_inspection_is_principal_led('self_inspections') }}
    group by
        required.quarter,
        required.quarter_start,
        required.quarter_end,
        required.period_start,
        required.period_end,
        required.credit_code,
        required.enterprise_name,
        required.unit_code,
        required.is_high_risk

)

select * from final
