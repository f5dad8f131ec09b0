{#- Period keys of SPEC §9: month 'YYYY-MM', quarter 'YYYYQn', year integer, half 'YYYYHn'. -#}

{% macro month_key(date_expr) -%}
    concat(
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        '-',
        lpad(cast(month({{ date_expr }}) as {{ dbt.type_string() }}), 2, '0')
    )
{%- endmacro %}

{% macro quarter_key(date_expr) -%}
    concat(
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        'Q',
        cast(quarter({{ date_expr }}) as {{ dbt.type_string() }})
    )
{%- endmacro %}

{% macro half_key(date_expr) -%}
    concat(
        cast(year({{ date_expr }}) as {{ dbt.type_string() }}),
        'H',
        case when month({{ date_expr }}) <= 6 then '1' else '2' end
    )
{%- endmacro %}

{% macro year_key(date_expr) -%}
    cast(year({{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}
