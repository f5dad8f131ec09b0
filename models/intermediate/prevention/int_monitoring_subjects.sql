-- every (requirement, measured_on, enterprise) that a monitoring requirement requires: in the
-- requirement's population (state as of D) and active at measured_on — measured_on the
-- requirement's due date when it has passed, and D — with whether the enterprise's system was
-- connected then (SPEC §10.3, §10.5). mart_monitoring_coverage counts these rows, the chase
-- list names the unconnected ones.
with

requirements as (

    select * from {{ ref('monitoring_requirements') }}

),

enterprises as (

    select * from {{ ref('int_prevention_enterprises') }}

),

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

monitoring as (

    select * from {{ ref('int_monitoring_current') }}

),

measured as (

    {{ monitoring_measured_dates('requirements') }}

),

required as (

    select
        measured.requirement_id,
        measured.system,
        measured.due_date,
        measured.measured_on,
        enterprises.credit_code,
        enterprises.enterprise_name,
        enterprises.unit_code
    from measured
    inner join enterprises
        on {{ is_in_monitoring_population('measured.requirement_id', 'enterprises') }}
    inner join enterprise_states
        on
            enterprises.credit_code = enterprise_states.credit_code
            and {{ is_state_at('enterprise_states', 'measured.measured_on') }}
            and enterprise_states.is_active

),

final as (

    select
        required.requirement_id,
        required.system,
        required.due_date,
        required.measured_on,
        required.credit_code,
        required.enterprise_name,
        required.unit_code,
        {{ monitoring_is_connected_at('monitoring', 'required.measured_on') }} as is_connected
    from required
    left join monitoring
        on
            required.credit_code = monitoring.credit_code
            and required.system = monitoring.system

)

select * from final
