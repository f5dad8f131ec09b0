{#- The plan's task ledger (SPEC §10.3, §10.5 "Tasks"): one rule, one place. -#}

{#- the straight line's fraction at date d for a task from `start` (the plan's start) to `due`:
    days from start to d ÷ days from start to due, within [0, 1] -#}
{% macro plan_task_line_fraction(start, due, d) -%}
    least(
        greatest(
            cast({{ dbt.datediff(start, d, 'day') }} as {{ type_double() }})
            / nullif({{ dbt.datediff(start, due, 'day') }}, 0),
            0
        ),
        1
    )
{%- endmacro %}

{#- an owner's status as of d: the first that holds of 按期完成, 逾期完成, 逾期未完成, 未报送,
    有风险, 进行中. 未报送: no version with 报送日期 in [d − 45, d] (or none at all) while not done;
    有风险: a quantity task whose progress (done ÷ target) is below the straight line -#}
{% macro plan_task_status(
    is_done, completed_date, due_date, last_reported_date, progress, line_fraction, d
) -%}
    case
        when {{ is_done }} and {{ completed_date }} <= {{ due_date }} then '按期完成'
        when {{ is_done }} then '逾期完成'
        when {{ due_date }} < {{ d }} then '逾期未完成'
        when
            {{ last_reported_date }} is null
            or {{ last_reported_date }} < {{ dbt.dateadd('day', -45, d) }}
            then '未报送'
        when {{ progress }} < {{ line_fraction }} - 1e-9 then '有风险'
        else '进行中'
    end
{%- endmacro %}

{#- severity of a status, 1 = worst: 逾期未完成, 未报送, 有风险, 进行中, 逾期完成, 按期完成; a task's
    own status is its worst owner's -#}
{% macro plan_task_status_severity(status) -%}
    case {{ status }}
        when '逾期未完成' then 1
        when '未报送' then 2
        when '有风险' then 3
        when '进行中' then 4
        when '逾期完成' then 5
        when '按期完成' then 6
    end
{%- endmacro %}

{#- the status of a given severity (the inverse of plan_task_status_severity) -#}
{% macro plan_task_status_of_severity(severity) -%}
    case {{ severity }}
        when 1 then '逾期未完成'
        when 2 then '未报送'
        when 3 then '有风险'
        when 4 then '进行中'
        when 5 then '逾期完成'
        when 6 then '按期完成'
    end
{%- endmacro %}

{#- a task × owner is overdue (逾期未完成) at date t, from its state as of D: due before t and not
    completed by t (at t = D the status 逾期未完成 of plan_task_status) -#}
{% macro plan_task_is_overdue_at(is_done, completed_date, due_date, t) -%}
    (
        {{ due_date }} < {{ t }}
        and not coalesce({{ is_done }} and {{ completed_date }} <= {{ t }}, false)
    )
{%- endmacro %}
