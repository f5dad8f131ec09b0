{#- Drill rules (SPEC §6 T6, §9 "Evaluation" I7). -#}

{#- a drill counts in the 四不 share (T6/I7): 企业 drills, from the given year on without 综合演练 -#}
{% macro is_four_no_eligible(drills, year, from_year) -%}
    (
        {{ drills }}.is_enterprise_drill
        and not ({{ year }} >= {{ from_year }} and {{ drills }}.drill_type = '综合演练')
    )
{%- endmacro %}
