{#- Target rules (SPEC §6). -#}

{#- an actual meets a target value under the target's comparison (seed targets) -#}
{% macro is_target_value_met(comparison, actual, target_value, prev_value) -%}
    case {{ comparison }}
        when 'at_least' then {{ actual }} >= {{ target_value }} - 1e-9
        when 'at_most' then {{ actual }} <= {{ target_value }} + 1e-9
        when 'fewer_than_prev' then {{ is_decline_met(actual, prev_value) }}
    end
{%- endmacro %}

{#- "that year's target" (SPEC §9 "Evaluation": I7, mart_training_coverage.four_no_target): the
    body of a CTE with one row per year of `years` (a relation with column `year`) and the
    target's value — the milestone of that year, or for a year without one the last earlier
    milestone (years before the first milestone get no row; the milestone's date comes along as
    column milestone_date). `milestones`: the seed target_milestones. -#}
{% macro target_value_by_year(years, milestones, target_id, value_column) -%}
    {%- set candidates -%}
        (
            select
                {{ years }}.year,
                {{ milestones }}.target_value as {{ value_column }},
                {{ milestones }}.milestone_date
            from (select distinct year from {{ years }}) as {{ years }}
            inner join {{ milestones }}
                on
                    {{ milestones }}.target_id = '{{ target_id }}'
                    and {{ year_key(milestones ~ '.milestone_date') }} <= {{ years }}.year
        ) as candidates
    {%- endset -%}
    {{ keep_first(candidates, 'year', 'milestone_date desc nulls last') }}
{%- endmacro %}

{#- T14 监测预警全覆盖 (SPEC §10.5 "Monitoring"): one milestone per requirement (油气储存 is three),
    each judged on the region's pooled share by the rule of mart_monitoring_coverage (达成 / 未达成
    once due, else 进行中 / 有风险 against its own straight line). `requirements`: one row per
    requirement — its region row at min(due date, D): requirement_id, system, due_date,
    target_value, coverage_share (NULL: nobody required, met), expected_share, status. The body
    of a CTE with one row (target_id 'T14'): status — 未达成 if any passed requirement missed; else
    有风险 if any not yet due falls short of its own line; else 进行中 while any is not yet due;
    else 达成 — and the requirement that decides it (its id and system): the earliest missed
    (then the lowest share), else the earliest falling short (then the lowest share), else the
    earliest not yet due (then the lowest share), else the last. -#}
{% macro monitoring_target_judgement(requirements) -%}
    {%- set judged -%}
        (
            select
                *,
                coalesce(coverage_share, 1.0) as share,
                case status
                    when '未达成' then 0
                    when '有风险' then 1
                    when '进行中' then 2
                    else 3
                end as judgement
            from {{ requirements }}
        ) as judged
    {%- endset -%}
    select
        'T14' as target_id,
        case judgement
            when 0 then '未达成'
            when 1 then '有风险'
            when 2 then '进行中'
            else '达成'
        end as status,
        requirement_id as deciding_requirement_id,
        system as deciding_system,
        due_date as deciding_milestone,
        target_value as deciding_target_value,
        share as deciding_actual,
        expected_share as deciding_expected_value
    from (
        {{ keep_first(
            judged,
            "'T14'",
            'judgement, case when judgement < 3 then due_date end, due_date desc, share,'
            ~ ' requirement_id'
        ) }}
    ) as decided
{%- endmacro %}
