-- each enterprise's state at each evaluated quarter's end (or D): the span of
-- int_enterprise_states current at the end of that day (SPEC §9 "The state of a record at a time
-- t"). Only enterprises with a version by then appear. Used for "active at qe" (I3, I6) and the
-- principal on record at qe (I6).
with

enterprise_states as (

    select * from {{ ref('int_enterprise_states') }}

),

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

final as (

    select
        quarters.quarter,
        enterprise_states.credit_code,
        enterprise_states.unit_code,
        enterprise_states.operating_status,
        enterprise_states.principal_id_hash,
        enterprise_states.is_active,
        quarters.period_end,
        enterprise_states.valid_from as updated_at
    from quarters
    inner join enterprise_states
        on {{ is_state_at('enterprise_states', 'quarters.period_end') }}

)

select * from final
