-- each enterprise's state at each evaluated quarter's end (or D): its latest version with
-- updated_at on or before that day (SPEC §9 "The state of a record at a time t"; of equal
-- updated_at the one read last wins). Only enterprises with a version by then appear.
-- Used for "active at qe" (I3, I6): the state at qe says 在营.
with

enterprises as (

    select * from {{ ref('stg_raw__enterprises') }}

),

quarters as (

    select * from {{ ref('int_evaluation_quarters') }}

),

versions_known as (

    select
        quarters.quarter,
        quarters.period_end,
        enterprises.credit_code,
        enterprises.unit_code,
        enterprises.operating_status,
        enterprises.principal_id_hash,
        enterprises.updated_at,
        enterprises.read_seq
    from quarters
    inner join enterprises
        on enterprises.updated_at < {{ dbt.dateadd('day', 1, 'quarters.period_end') }}

),

state_at_period_end as (

    select * from versions_known
    qualify row_number() over (
        partition by quarter, credit_code
        order by updated_at desc, read_seq desc
    ) = 1

),

final as (

    select
        quarter,
        credit_code,
        unit_code,
        operating_status,
        principal_id_hash,
        operating_status = '在营' as is_active,
        period_end,
        updated_at
    from state_at_period_end

)

select * from final
