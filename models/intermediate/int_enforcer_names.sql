-- every name an enforcing body (执法部门 of inspections and penalties) may be written as → the
-- department it names, or else the unit (a 镇街's own 综合执法, by its name or an alias). A name of
-- both kinds is the department's. Whose enforcement a record is: one place (SPEC §9 "Enforcement").
with

department_names as (

    select * from {{ ref('int_department_names') }}

),

unit_names as (

    select * from {{ ref('int_unit_names') }}

),

final as (

    select
        department_names.name,
        department_names.department_code,
        cast(null as {{ dbt.type_string() }}) as enforcing_unit_code
    from department_names
    union all
    select
        unit_names.name,
        cast(null as {{ dbt.type_string() }}) as department_code,
        unit_names.unit_code as enforcing_unit_code
    from unit_names
    where unit_names.name not in (select department_names.name from department_names)

)

select * from final
