-- The plan's task ledger seeds hold together (SPEC §10.2): every task has at least one owner,
-- every owner is `U*` or a department or unit code of the seeds, a quantity comes with its
-- measure and a measure with its quantity (> 0), and a task_id starts with its section. One row
-- per problem, named. (Here, not in analytics/: the known-answer builds of tests/test_marts.py
-- select path:data_tests/analytics with the analytical marts, whose parents these seeds are not.)
with

tasks as (

    select
        task_id,
        section,
        target_qty,
        nullif(trim(measure), '') as measure
    from {{ ref('plan_tasks') }}

),

owners as (

    select * from {{ ref('plan_task_owners') }}

),

owner_codes as (

    select department_code as code from {{ ref('departments') }}
    union all
    select unit_code as code from {{ ref('units') }}
    union all
    select 'U*' as code

),

problems as (

    select
        tasks.task_id,
        cast(null as string) as owner,
        'task without owner' as problem
    from tasks
    where
        not exists (
            select 1 from owners
            where owners.task_id = tasks.task_id
        )

    union all

    select
        owners.task_id,
        owners.owner,
        'owner is not U*, a department or a unit' as problem
    from owners
    left join owner_codes
        on owners.owner = owner_codes.code
    where owner_codes.code is null

    union all

    select
        task_id,
        cast(null as string) as owner,
        'target_qty and measure not both given or both empty' as problem
    from tasks
    where (target_qty is null) <> (measure is null)

    union all

    select
        task_id,
        cast(null as string) as owner,
        'target_qty not above 0' as problem
    from tasks
    where target_qty <= 0

    union all

    select
        task_id,
        cast(null as string) as owner,
        'task_id does not start with its section' as problem
    from tasks
    where left(task_id, length(section) + 1) <> (section || '-')

)

select * from problems
