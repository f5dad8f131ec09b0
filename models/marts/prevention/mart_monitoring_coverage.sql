-- 技防监测预警覆盖 (SPEC §10.3): grain requirement × unit × measured_on — the requirement's due
-- date once it has passed, and D — every unit (zero rows included) plus a region row per
-- requirement and date with unit_code NULL. required = enterprises in the requirement's
-- population (state as of D) active at measured_on; connected = those whose system was
-- connected then; coverage_share NULL when nobody is required. status as §6, a requirement being
-- a target with one milestone (100 % at its due date): a passed due date decides 达成 / 未达成
-- (nobody required counts as met); before it, the share at D against the straight line from
-- the plan's start (0) to 100 % at the due date: 进行中 at or above it, else 有风险. The status is
-- the requirement's as of D, the same on both dates of a requirement and unit.
with

requirements as (

    select * from {{ ref('monitoring_requirements') }}

),

units as (

    select * from {{ ref('units') }}

),

subjects as (

    select * from {{ ref('int_monitoring_subjects') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

measured as (

    {{ monitoring_measured_dates('requirements') }}

),

grid as (

    select
        measured.requirement_id,
        measured.system,
        measured.due_date,
        units.unit_code,
        measured.measured_on
    from measured
    cross join units
    union all
    select
        requirement_id,
        system,
        due_date,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        measured_on
    from measured

),

counted as (

    select
        grid.requirement_id,
        grid.system,
        grid.due_date,
        grid.unit_code,
        grid.measured_on,
        count(subjects.credit_code) as required,
        count(subjects.credit_code) filter (where subjects.is_connected) as connected
    from grid
    left join subjects
        on
            grid.requirement_id = subjects.requirement_id
            and grid.measured_on = subjects.measured_on
            and (grid.unit_code is null or grid.unit_code = subjects.unit_code)
    group by grid.requirement_id, grid.system, grid.due_date, grid.unit_code, grid.measured_on

),

shares as (

    select
        *,
        {{ safe_share('connected', 'required') }} as coverage_share
    from counted

),

-- the share that decides the status: at the due date once passed, else at D
deciding as (

    select
        shares.requirement_id,
        shares.unit_code,
        shares.coverage_share,
        shares.due_date <= {{ as_of_date() }} as is_due_passed,
        {{ straight_line_expected('parameters.plan_start_date', 'shares.due_date') }}
            as expected_share
    from shares
    cross join parameters
    where shares.measured_on = least(shares.due_date, {{ as_of_date() }})

),

statuses as (

    select
        requirement_id,
        unit_code,
        is_due_passed,
        expected_share,
        case
            when is_due_passed and coalesce(coverage_share >= 1 - 1e-9, true) then '达成'
            when is_due_passed then '未达成'
            when coalesce(coverage_share >= expected_share - 1e-9, true) then '进行中'
            else '有风险'
        end as status
    from deciding

),

final as (

    select
        shares.requirement_id,
        shares.system,
        shares.due_date,
        shares.unit_code,
        shares.measured_on,
        cast(shares.required as {{ bigint_type() }}) as required,
        cast(shares.connected as {{ bigint_type() }}) as connected,
        shares.coverage_share,
        statuses.is_due_passed,
        statuses.expected_share,
        statuses.status,
        {{ as_of_date() }} as as_of_date
    from shares
    inner join statuses
        on
            shares.requirement_id = statuses.requirement_id
            and shares.unit_code is not distinct from statuses.unit_code

)

select * from final
