-- every task × owner of the seeds plan_tasks / plan_task_owners (SPEC §10.2): `U*` is every unit
-- (U01 … U11), each owner with its name and kind (镇街 / 区直部门)
with

tasks as (

    select * from {{ ref('plan_tasks') }}

),

task_owners as (

    select * from {{ ref('plan_task_owners') }}

),

units as (

    select * from {{ ref('units') }}

),

departments as (

    select * from {{ ref('departments') }}

),

owner_codes as (

    select
        task_owners.task_id,
        units.unit_code as owner_code
    from task_owners
    inner join units
        on task_owners.owner = 'U*' or task_owners.owner = units.unit_code
    union
    select
        task_owners.task_id,
        departments.department_code as owner_code
    from task_owners
    inner join departments
        on task_owners.owner = departments.department_code

),

final as (

    select
        tasks.task_id,
        tasks.section,
        tasks.title,
        tasks.due_date,
        tasks.target_qty,
        tasks.measure,
        owner_codes.owner_code,
        coalesce(units.unit_name, departments.department_name) as owner_name,
        case when units.unit_code is not null then '镇街' else '区直部门' end as owner_type,
        units.unit_code,
        departments.department_code,
        coalesce(units.sort_order, 100 + departments.sort_order) as owner_sort_order
    from owner_codes
    inner join tasks
        on owner_codes.task_id = tasks.task_id
    left join units
        on owner_codes.owner_code = units.unit_code
    left join departments
        on owner_codes.owner_code = departments.department_code

)

select * from final
