-- every landed row version known as of D (the staging rows: loaded, not folded), of every extract,
-- with the unit it reports for — its own 所属镇街, else (drills) the organising unit, else its
-- enterprise's unit as of D (SPEC §3) — its event date and 更新时间. mart_unit_data_quality
-- counts them per unit and extract. An enterprise version has no event date.
with

enterprises as (

    select * from {{ ref('stg_raw__enterprises') }}

),

hazards as (

    select * from {{ ref('stg_raw__hazards') }}

),

accidents as (

    select * from {{ ref('stg_raw__accidents') }}

),

inspections as (

    select * from {{ ref('stg_raw__inspections') }}

),

penalties as (

    select * from {{ ref('stg_raw__penalties') }}

),

training as (

    select * from {{ ref('stg_raw__training') }}

),

drills as (

    select * from {{ ref('stg_raw__drills') }}

),

reports as (

    select * from {{ ref('stg_raw__reports') }}

),

enterprises_current as (

    select * from {{ ref('int_enterprises_current') }}

),

tasks as (

    select * from {{ ref('stg_raw__tasks') }}

),

monitoring as (

    select * from {{ ref('stg_raw__monitoring') }}

),

self_inspections as (

    select * from {{ ref('stg_raw__self_inspections') }}

),

versions as (

    select
        'enterprises' as extract,
        credit_code,
        unit_code,
        cast(null as date) as event_date,
        updated_at
    from enterprises
    union all
    select
        'hazards' as extract,
        credit_code,
        unit_code,
        found_date as event_date,
        updated_at
    from hazards
    union all
    select
        'accidents' as extract,
        credit_code,
        unit_code,
        cast(occurred_at as date) as event_date,
        updated_at
    from accidents
    union all
    select
        'inspections' as extract,
        credit_code,
        unit_code,
        inspection_date as event_date,
        updated_at
    from inspections
    union all
    select
        'penalties' as extract,
        credit_code,
        unit_code,
        decided_date as event_date,
        updated_at
    from penalties
    union all
    select
        'training' as extract,
        credit_code,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        training_date as event_date,
        updated_at
    from training
    union all
    select
        'drills' as extract,
        credit_code,
        coalesce(unit_code, organiser_unit_code) as unit_code,
        drill_date as event_date,
        updated_at
    from drills
    union all
    select
        'reports' as extract,
        credit_code,
        unit_code,
        received_date as event_date,
        updated_at
    from reports
    union all
    select
        'tasks' as extract,
        cast(null as {{ dbt.type_string() }}) as credit_code,
        -- a 镇街 owner reports for its unit; a department's reports have no unit
        case when owner_code like 'U%' then owner_code end as unit_code,
        reported_date as event_date,
        updated_at
    from tasks
    union all
    select
        'monitoring' as extract,
        credit_code,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        connected_date as event_date,
        updated_at
    from monitoring
    union all
    select
        'self_inspections' as extract,
        credit_code,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        inspection_date as event_date,
        updated_at
    from self_inspections

),

final as (

    select
        versions.extract,
        coalesce(versions.unit_code, enterprises_current.unit_code) as unit_code,
        versions.event_date,
        versions.updated_at
    from versions
    left join enterprises_current
        on versions.credit_code = enterprises_current.credit_code

)

select * from final
