{#- Accident rules (SPEC §4 grades, §5 mart_accident_trend, §9 "Accidents"). -#}

{#- Join condition: the accident reaches the grade's threshold on any criterion
    (《生产安全事故报告和调查处理条例》 art. 3, SPEC §4; "以上包括本数": >=). Join the accidents to
    the seed accident_grade_thresholds on it and take max(grade_rank): the highest grade reached.
    `accidents.deaths` must already count the missing. -#}
{% macro reaches_accident_grade(accidents, thresholds) -%}
    (
        coalesce({{ accidents }}.deaths, 0) >= {{ thresholds }}.min_deaths
        or coalesce({{ accidents }}.serious_injuries, 0) >= {{ thresholds }}.min_serious_injuries
        or coalesce({{ accidents }}.direct_loss_10k_yuan, 0)
        >= {{ thresholds }}.min_direct_loss_10k_yuan
    )
{%- endmacro %}

{#- "fewer, or zero both years" (SPEC §5 mart_accident_trend: accidents_met / deaths_met) -#}
{% macro is_decline_met(current_value, previous_value) -%}
    (
        coalesce({{ current_value }}, 0) < coalesce({{ previous_value }}, 0)
        or (coalesce({{ current_value }}, 0) = 0 and coalesce({{ previous_value }}, 0) = 0)
    )
{%- endmacro %}
