-- 挂图作战 (SPEC §10.3, §10.5 "Tasks"): every task × owner as of D — the owner's latest version
-- (更新时间 ≤ D; 完成量 cumulative, empty = 0, ignored on a yes/no task; 完成日期 only when 是否完成 =
-- 是), its last 报送日期, and its status (macros/rules/tasks.sql); the task's own status is its
-- worst owner's. mart_plan_tasks shows it; T18 and the department evaluation read it.
with

owners as (

    select * from {{ ref('int_plan_task_owners') }}

),

versions as (

    select * from {{ ref('stg_raw__tasks') }}

),

parameters as (

    select * from {{ ref('int_target_parameters_pivoted') }}

),

current_versions as (

    {{ latest_version('versions', 'task_id, owner_code') }}

),

reporting as (

    select
        task_id,
        owner_code,
        count(*) as versions,
        max(reported_date) as last_reported_date
    from versions
    where reported_date <= {{ as_of_date() }}
    group by task_id, owner_code

),

joined as (

    select
        owners.*,
        case
            when owners.target_qty is not null then coalesce(current_versions.done_qty, 0)
        end as done_qty,
        coalesce(current_versions.is_done, false) as is_done,
        case when current_versions.is_done then current_versions.completed_date end
            as completed_date,
        reporting.last_reported_date,
        coalesce(reporting.versions, 0) as versions,
        current_versions.progress_note,
        {{ plan_task_line_fraction('parameters.plan_start_date', 'owners.due_date', as_of_date()) }}
            as line_fraction
    from owners
    cross join parameters
    left join current_versions
        on
            owners.task_id = current_versions.task_id
            and owners.owner_code = current_versions.owner_code
    left join reporting
        on
            owners.task_id = reporting.task_id
            and owners.owner_code = reporting.owner_code

),

statuses as (

    select
        *,
        {{ safe_share('done_qty', 'target_qty') }} as progress,
        {{ plan_task_status(
            'is_done', 'completed_date', 'due_date', 'last_reported_date',
            safe_share('done_qty', 'target_qty'), 'line_fraction', as_of_date()
        ) }} as status
    from joined

),

final as (

    select
        task_id,
        section,
        title,
        due_date,
        target_qty,
        measure,
        owner_code,
        owner_name,
        owner_type,
        unit_code,
        department_code,
        owner_sort_order,
        done_qty,
        progress,
        case when target_qty is not null then line_fraction end as expected_progress,
        is_done,
        completed_date,
        last_reported_date,
        versions,
        progress_note,
        status,
        {{ plan_task_status_severity('status') }} as status_severity,
        {{ plan_task_status_of_severity(
            'min(' ~ plan_task_status_severity('status') ~ ') over (partition by task_id)'
        ) }} as task_status,
        {{ as_of_date() }} as as_of_date
    from statuses

)

select * from final
