{#- SPEC §11: dbt's datediff as a BIGINT on every engine (DuckDB's date_diff is one; Spark's
    datediff an INT, which would break the marts' contracts and the served types). Found first by
    dbt.datediff's dispatch on Spark; wraps dbt-spark's own. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}
