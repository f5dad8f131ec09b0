{#- Helpers of the analytical marts (issue 3). Portable SQL only (STYLE.md "Portability"). -#}

{#- the first day of the data (SPEC §9: grid marts run from 2023) -#}
{% macro analytics_grid_start() -%}
    cast('2023-01-01' as date)
{%- endmacro %}

{#- the first year of the year-grain marts (2023 serves as the year before) -#}
{% macro analytics_first_year() -%}
    2024
{%- endmacro %}

{#- num ÷ den as a double (dbt.type_float() is a 4-byte FLOAT on DuckDB), NULL when den is 0 or
    NULL; used by the analytical marts and the quarterly evaluation -#}
{% macro safe_share(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / {{ denominator }}
    end
{%- endmacro %}

{#- "fewer, or zero both years" (SPEC §5 mart_accident_trend: accidents_met / deaths_met) -#}
{% macro is_decline_met(current_value, previous_value) -%}
    (
        coalesce({{ current_value }}, 0) < coalesce({{ previous_value }}, 0)
        or (coalesce({{ current_value }}, 0) = 0 and coalesce({{ previous_value }}, 0) = 0)
    )
{%- endmacro %}

{#- a hazard (columns of fct_hazards, state as of D) is rectified by date t (SPEC §9 "Time") -#}
{% macro hazard_is_rectified_by(hazards, t) -%}
    ({{ hazards }}.is_rectified and {{ hazards }}.rectified_date <= {{ t }})
{%- endmacro %}

{#- a hazard is open and overdue at date t: found by t, not rectified by t, deadline before t -#}
{% macro hazard_is_open_overdue_at(hazards, t) -%}
    (
        {{ hazards }}.found_date <= {{ t }}
        and not {{ hazard_is_rectified_by(hazards, t) }}
        and {{ hazards }}.deadline < {{ t }}
    )
{%- endmacro %}

{#- a hazard is open (found, not rectified) at date t -#}
{% macro hazard_is_open_at(hazards, t) -%}
    (
        {{ hazards }}.found_date <= {{ t }}
        and not {{ hazard_is_rectified_by(hazards, t) }}
    )
{%- endmacro %}

{#- “零处罚、只检查不处罚” (plan §二.14): inspected in the period but no penalty decided -#}
{% macro is_zero_penalty(inspections, penalty_cases) -%}
    ({{ inspections }} > 0 and {{ penalty_cases }} = 0)
{%- endmacro %}

{#- the row of a span relation (valid_from / valid_to timestamps, valid_to NULL = current) that
    was the state at the end of day t -#}
{% macro is_state_at(spans, t) -%}
    (
        {{ spans }}.valid_from < {{ dbt.dateadd('day', 1, t) }}
        and (
            {{ spans }}.valid_to is null
            or {{ spans }}.valid_to >= {{ dbt.dateadd('day', 1, t) }}
        )
    )
{%- endmacro %}

{#- a drill counts in the 四不 share (T6/I7): 企业 drills, from the given year on without 综合演练 -#}
{% macro is_four_no_eligible(drills, year, from_year) -%}
    (
        {{ drills }}.is_enterprise_drill
        and not ({{ year }} >= {{ from_year }} and {{ drills }}.drill_type = '综合演练')
    )
{%- endmacro %}

{#- an actual meets a target value under the target's comparison (seed targets) -#}
{% macro is_target_value_met(comparison, actual, target_value, prev_value) -%}
    case {{ comparison }}
        when 'at_least' then {{ actual }} >= {{ target_value }} - 1e-9
        when 'at_most' then {{ actual }} <= {{ target_value }} + 1e-9
        when 'fewer_than_prev' then {{ is_decline_met(actual, prev_value) }}
    end
{%- endmacro %}

{#- a double-precision float (marts keep full precision; dbt.type_float() is 32-bit on DuckDB) -#}
{% macro type_double() -%}
    double
{%- endmacro %}

{#- a 64-bit integer for summed counts (DuckDB sums to HUGEINT otherwise) -#}
{% macro bigint_type() -%}
    bigint
{%- endmacro %}
