{{ config(materialized='table') }}
-- quarter × enterprise: each enterprise active at the evaluated quarter's end (or D), and whether
-- its 主要负责人 (the person, where the state at qe records the ID) passed a 主要负责人专题培训 between
-- the training start and qe — I6's rows. int_evaluation_unit_counts counts them;
-- mart_evaluation_enterprises serves them for the drill-through from an I6 score.
with

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

training as (

    select * from {{ ref('int_training_facts') }}

),

enterprise_states as (

    select * from {{ ref('int_enterprises_at_quarter_end') }}

),

parameters as (

    select * from {{ ref('int_evaluation_parameters') }}

),

final as (

    select
        enterprise_states.quarter,
        enterprise_states.unit_code,
        enterprise_states.credit_code,
        {{ principal_trained_by(
            'training',
            'enterprise_states.credit_code',
            'enterprise_states.principal_id_hash',
            'quarters.period_end',
            'parameters.training_since_date'
        ) }} as is_principal_trained
    from enterprise_states
    inner join quarters
        on enterprise_states.quarter = quarters.quarter
    cross join parameters
    where enterprise_states.is_active

)

select * from final
