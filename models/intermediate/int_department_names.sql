-- every name a department may be written as (full and short seed names) → department_code
with

departments as (

    select * from {{ ref('departments') }}

),

names as (

    select
        department_name as name,
        department_code
    from departments
    union
    select
        short_name as name,
        department_code
    from departments

),

final as (

    select distinct
        name,
        department_code
    from names

)

select * from final
