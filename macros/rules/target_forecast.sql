{#- Early warning (SPEC §10.4; docs/ARCHITECTURE.md "Early warning"). -#}

{#- a row of int_target_evaluations / int_target_subjects computed at a milestone's own date
    e = min(milestone, D) — not the forecast's pace base b (int_target_evaluations.is_pace_base);
    every reader of those models but mart_target_forecast keeps only these rows -#}
{% macro is_milestone_evaluation() -%}
    evaluation_date = least(milestone_date, {{ as_of_date() }})
{%- endmacro %}
