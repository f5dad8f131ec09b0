{#- Hazard rules (SPEC §9 "Hazards"), over columns of fct_hazards (state as of D). -#}

{#- a hazard (columns of fct_hazards, state as of D) is rectified by date t (SPEC §9 "Time") -#}
{% macro hazard_is_rectified_by(hazards, t) -%}
    coalesce({{ hazards }}.is_rectified and {{ hazards }}.rectified_date <= {{ t }}, false)
{%- endmacro %}

{#- a hazard is open (found, not rectified) at date t -#}
{% macro hazard_is_open_at(hazards, t) -%}
    (
        {{ hazards }}.found_date <= {{ t }}
        and not {{ hazard_is_rectified_by(hazards, t) }}
    )
{%- endmacro %}

{#- a hazard is open and overdue at date t: found by t, not rectified by t, deadline before t -#}
{% macro hazard_is_open_overdue_at(hazards, t) -%}
    (
        {{ hazards }}.found_date <= {{ t }}
        and not {{ hazard_is_rectified_by(hazards, t) }}
        and {{ hazards }}.deadline < {{ t }}
    )
{%- endmacro %}

{#- "listed and open and overdue at t" (the −2 deduction of SPEC §7): a listed (挂牌督办) 重大隐患
    open and overdue at t -#}
{% macro hazard_is_listed_open_overdue_at(hazards, t) -%}
    (
        {{ hazards }}.is_major
        and {{ hazards }}.is_listed_supervision
        and {{ hazard_is_open_overdue_at(hazards, t) }}
    )
{%- endmacro %}

{#- rectified by D (SPEC §9 "Hazards"): the state as of D is 已整改/已销号 and 整改完成日期 <= D (a
    later date counts as open); over the columns of int_hazards_current -#}
{% macro hazard_is_rectified_as_of_d(status, rectified_date) -%}
    coalesce({{ status }} in ('已整改', '已销号') and {{ rectified_date }} <= {{ as_of_date() }}, false)
{%- endmacro %}

{#- a hazard's deadline falls in [start, end] (I2: hazards due in the quarter, up to D) -#}
{% macro hazard_is_due_between(hazards, start, end) -%}
    ({{ hazards }}.deadline between {{ start }} and {{ end }})
{%- endmacro %}

{#- the join condition of hazards to the seed escalation_bands (SPEC §5 ledger, §9 "Escalation
    applies to every open, overdue 重大隐患, listed or not; bands by overdue_days"): overdue_days
    is 0 unless open and overdue, which the seed's 无 band (0–0) takes -#}
{% macro hazard_in_escalation_band(is_major, overdue_days, bands) -%}
    (
        {{ is_major }}
        and {{ overdue_days }} >= {{ bands }}.min_overdue_days
        and ({{ bands }}.max_overdue_days is null or {{ overdue_days }} <= {{ bands }}.max_overdue_days)
    )
{%- endmacro %}
