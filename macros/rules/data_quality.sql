{#- Data quality per reporting unit (SPEC §10.4 "Data-quality scorecard"). -#}

{#- a late version: its 更新时间 more than 30 days after the record's event date (the extract's
    own date column: 发现日期, 发生时间, 检查日期, 决定日期, 培训日期, 演练日期, 受理日期) -#}
{% macro is_late_version(event_date, updated_at) -%}
    {{ dbt.datediff(event_date, 'cast(' ~ updated_at ~ ' as date)', 'day') }} > 30
{%- endmacro %}
