-- every record whose state as of D dates its event on or before D is in its fact exactly once
-- (none lost by a join, none duplicated)
with

hazards as (

    select * from {{ ref('stg_raw__hazards') }}

),

accidents as (

    select * from {{ ref('stg_raw__accidents') }}

),

penalties as (

    select * from {{ ref('stg_raw__penalties') }}

),

fct_hazards as (

    select * from {{ ref('fct_hazards') }}

),

fct_accidents as (

    select * from {{ ref('fct_accidents') }}

),

fct_penalties as (

    select * from {{ ref('fct_penalties') }}

),

hazards_current as (

    {{ latest_version('hazards', 'hazard_id') }}

),

accidents_current as (

    {{ latest_version('accidents', 'accident_id') }}

),

penalties_current as (

    {{ latest_version('penalties', 'penalty_id') }}

),

expected as (

    select
        'hazards' as fact,
        count(*) as records
    from hazards_current
    where {{ is_known_as_of('found_date') }}
    union all
    select
        'accidents' as fact,
        count(*) as records
    from accidents_current
    where {{ is_known_as_of('occurred_at') }}
    union all
    select
        'penalties' as fact,
        count(*) as records
    from penalties_current
    where {{ is_known_as_of('decided_date') }}

),

actual as (

    select
        'hazards' as fact,
        count(*) as records
    from fct_hazards
    union all
    select
        'accidents' as fact,
        count(*) as records
    from fct_accidents
    union all
    select
        'penalties' as fact,
        count(*) as records
    from fct_penalties

),

final as (

    select
        expected.fact,
        expected.records as expected_records,
        actual.records as actual_records
    from expected
    inner join actual
        on expected.fact = actual.fact
    where expected.records != actual.records

)

select * from final
