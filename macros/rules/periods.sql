{#- Period keys of SPEC §9: month 'YYYY-MM', quarter 'YYYYQn', year integer, half 'YYYYHn'.
    concat_ws(''): NULL parts are skipped on every engine, as DuckDB's concat skips them (Spark's
    concat would be NULL); so a NULL date gives '-' / 'Q' / 'H2' on both engines, as in phase 1. -#}

{% macro month_key(date_expr) -%}
    concat_ws(
        '',
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        '-',
        lpad(cast(month({{ date_expr }}) as {{ dbt.type_string() }}), 2, '0')
    )
{%- endmacro %}

{% macro quarter_key(date_expr) -%}
    concat_ws(
        '',
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        'Q',
        cast(quarter({{ date_expr }}) as {{ dbt.type_string() }})
    )
{%- endmacro %}

{% macro half_key(date_expr) -%}
    concat_ws(
        '',
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        'H',
        case when month({{ date_expr }}) <= 6 then '1' else '2' end
    )
{%- endmacro %}

{% macro year_key(date_expr) -%}
    cast(year({{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- the plan's first year (seed target_parameters.plan_start_date: 2024); the year-grain marts and
    the evaluation run from it, the year before serving as the comparison (SPEC §9) -#}
{% macro plan_first_year() -%}
    (select {{ year_key('plan_start_date') }} from {{ ref('int_target_parameters_pivoted') }})
{%- endmacro %}

{#- the first day of the data: Jan 1 of the year before the plan's start (2023-01-01; SPEC §9:
    grid marts run from 2023) -#}
{% macro data_start_date() -%}
    (
        select cast({{ dbt.dateadd('year', -1, dbt.date_trunc('year', 'plan_start_date')) }} as date)
        from {{ ref('int_target_parameters_pivoted') }}
    )
{%- endmacro %}
