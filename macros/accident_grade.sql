{#- The grade rank of an accident (《生产安全事故报告和调查处理条例》 art. 3, SPEC §4): the highest
    grade of the thresholds relation (seed accident_grade_thresholds) that any criterion reaches,
    "以上包括本数" (>=). deaths must already count the missing. -#}
{% macro accident_grade_rank(deaths, serious_injuries, direct_loss_10k_yuan, thresholds) -%}
    (
        select max({{ thresholds }}.grade_rank)
        from {{ thresholds }}
        where
            coalesce({{ deaths }}, 0) >= {{ thresholds }}.min_deaths
            or coalesce({{ serious_injuries }}, 0) >= {{ thresholds }}.min_serious_injuries
            or coalesce({{ direct_loss_10k_yuan }}, 0) >= {{ thresholds }}.min_direct_loss_10k_yuan
    )
{%- endmacro %}
