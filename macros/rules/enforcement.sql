{#- Enforcement rules (SPEC §5 mart_enforcement, §9 "Enforcement"). -#}

{#- “零处罚、只检查不处罚” (plan §二.14): inspected in the period but no penalty decided -#}
{% macro is_zero_penalty(inspections, penalty_cases) -%}
    ({{ inspections }} > 0 and {{ penalty_cases }} = 0)
{%- endmacro %}
