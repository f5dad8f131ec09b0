{#- Enterprise rules (SPEC §9 "Time", "Evaluation"). -#}

{#- active enterprise: its state says 在营 (SPEC §9 "Active enterprise at t") -#}
{% macro enterprise_is_active(operating_status) -%}
    ({{ operating_status }} = '在营')
{%- endmacro %}

{#- a training row (columns of fct_training) is its enterprise's principal's 主要负责人专题培训
    since the training start: type 主要负责人专题培训, role 主要负责人, result 合格, dated from
    `since` on and — where the enterprise records its 主要负责人身份证号 (`principal_id_hash`, the
    principal on record at the end of the period measured) — by that person (SPEC §9 I6) -#}
{% macro is_principal_training_of(training, principal_id_hash, since) -%}
    (
        {{ training }}.is_principal_training_passed
        and {{ training }}.training_date >= {{ since }}
        and ({{ principal_id_hash }} is null or {{ principal_id_hash }} = {{ training }}.person_key)
    )
{%- endmacro %}
