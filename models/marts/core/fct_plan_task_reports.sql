-- 任务进展报送 (SPEC §10.3): every version of every owner's progress report known as of D, with
-- its place in the owner's history (version_no by 更新时间, then read order) and whether it is the
-- version in force at D. The drill-down of 挂图作战.
with

versions as (

    select * from {{ ref('stg_raw__tasks') }}

),

owners as (

    select * from {{ ref('int_plan_task_owners') }}

),

final as (

    select
        versions.task_id,
        versions.owner_code,
        owners.owner_name,
        owners.owner_type,
        owners.unit_code,
        owners.department_code,
        owners.due_date,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            partition by versions.task_id, versions.owner_code
            order by versions.updated_at asc nulls last, versions.read_seq asc nulls last
        ) as bigint) as version_no,
        row_number() over (
            partition by versions.task_id, versions.owner_code
            order by versions.updated_at desc nulls last, versions.read_seq desc nulls last
        ) = 1 as is_current,
        versions.reported_date,
        case when owners.target_qty is not null then coalesce(versions.done_qty, 0) end
            as done_qty,
        versions.is_done,
        case when versions.is_done then versions.completed_date end as completed_date,
        versions.progress_note,
        versions.updated_at,
        {{ dbt.datediff('versions.reported_date', 'versions.updated_at', 'day') }}
            as days_reported_to_updated,
        versions.source_file
    from versions
    inner join owners
        on
            versions.task_id = owners.task_id
            and versions.owner_code = owners.owner_code

)

select * from final
