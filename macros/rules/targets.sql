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
