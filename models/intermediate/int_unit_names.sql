-- every name a unit may be written as (seed name and aliases) → unit_code
with

units as (

    select * from {{ ref('units') }}

),

unit_aliases as (

    select * from {{ ref('unit_aliases') }}

),

names as (

    select
        unit_name as name,
        unit_code
    from units
    union
    select
        alias as name,
        unit_code
    from unit_aliases

),

final as (

    select distinct
        name,
        unit_code
    from names

)

select * from final
