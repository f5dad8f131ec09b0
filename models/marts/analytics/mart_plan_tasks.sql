-- 挂图作战 (SPEC §10.3): the plan's tasks, one row per task × owner as of D, with the owner's
-- progress and status and the task's own (its worst owner's). The rule: int_plan_task_statuses
-- and macros/rules/tasks.sql.
with

statuses as (

    select * from {{ ref('int_plan_task_statuses') }}

),

final as (

    select
        task_id,
        section,
        title,
        due_date,
        owner_code,
        owner_name,
        owner_type,
        unit_code,
        department_code,
        target_qty,
        measure,
        done_qty,
        progress,
        expected_progress,
        is_done,
        completed_date,
        last_reported_date,
        versions,
        status,
        status_severity,
        task_status,
        status in ('逾期未完成', '有风险') as is_overdue_or_at_risk,
        owner_sort_order,
        as_of_date
    from statuses

)

select * from final
