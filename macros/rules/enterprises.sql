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

{#- whether an enterprise's principal (`principal_id_hash`, as above) passed the 主要负责人专题培训
    between `since` and `t`: true when a row of `training` (columns of fct_training) for
    `credit_code` dated up to `t` is that training. A correlated exists — DuckDB plans it as a hash
    semi join on credit_code; a left join + group by with this condition is a nested-loop join
    (province: 155 s and 159 s for two models, 3 s and 23 s this way) -#}
{% macro principal_trained_by(training, credit_code, principal_id_hash, t, since) -%}
    exists(
        select 1
        from {{ training }}
        where
            {{ training }}.credit_code = {{ credit_code }}
            and {{ training }}.training_date <= {{ t }}
            and {{ is_principal_training_of(training, principal_id_hash, since) }}
    )
{%- endmacro %}
