{#- SPEC §11: regular expressions in each engine's syntax (DuckDB: RE2, Spark: Java regex — the
    patterns of this project are in their common subset). -#}

{#- true when `pattern` matches somewhere in `value` -#}
{% macro regexp_contains(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'zhiben')(value, pattern)) }}
{%- endmacro %}

{% macro default__regexp_contains(value, pattern) -%}
    regexp_matches({{ value }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_contains(value, pattern) -%}
    ({{ value }} rlike '{{ pattern }}')
{%- endmacro %}

{#- a set-returning select expression: one row per match of `pattern` in `value` (its group
    `group`) -#}
{% macro regexp_each_match(value, pattern, group) -%}
    {{ return(adapter.dispatch('regexp_each_match', 'zhiben')(value, pattern, group)) }}
{%- endmacro %}

{% macro default__regexp_each_match(value, pattern, group) -%}
    unnest(regexp_extract_all({{ value }}, '{{ pattern }}', {{ group }}))
{%- endmacro %}

{% macro spark__regexp_each_match(value, pattern, group) -%}
    explode(regexp_extract_all({{ value }}, '{{ pattern }}', {{ group }}))
{%- endmacro %}
