{#- SPEC §11: a cast that gives NULL instead of failing on a value it cannot convert. DuckDB:
    TRY_CAST (dbt's safe_cast is a plain, failing cast on dbt-duckdb). Spark: dbt-spark runs with
    ANSI mode off, where CAST already gives NULL. -#}
{% macro try_cast_to(field, type) -%}
    {{ return(adapter.dispatch('try_cast_to', 'zhiben')(field, type)) }}
{%- endmacro %}

{% macro default__try_cast_to(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast_to(field, type) -%}
    cast({{ field }} as {{ type }})
{%- endmacro %}
