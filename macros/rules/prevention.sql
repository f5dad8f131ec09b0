{#- Prevention rules of SPEC §10.2 / §10.5: 技防 monitoring, self-inspection, supervision. -#}

{#- an enterprise (columns of int_prevention_enterprises: state as of D) is in the population of
    monitoring requirement `requirement_id` (a column holding R1 … R9). The rule of each
    requirement is SPEC §10.2's; a rule over a NULL column is not satisfied. -#}
{% macro is_in_monitoring_population(requirement_id, e) -%}
    coalesce(
        case {{ requirement_id }}
            when 'R1' then {{ e }}.industry_name = '非煤矿山' and {{ e }}.open_pit_slope_m >= 100
            when 'R2' then {{ e }}.is_explosive_dust and {{ e }}.dust_workers >= 10
            when 'R3' then {{ e }}.is_oil_gas_storage
            when 'R4' then {{ e }}.is_oil_gas_storage
            when 'R5' then {{ e }}.is_oil_gas_storage
            when 'R6' then {{ e }}.industry_name = '危险化学品' and {{ e }}.has_major_hazard_source
            when 'R7' then {{ e }}.is_explosive_dust
            when 'R8'
                then
                    {{ e }}.industry_name in ('危险化学品', '非煤矿山')
                    or ({{ e }}.industry_name = '工贸' and {{ e }}.scale = '规上')
            when 'R9' then {{ e }}.industry_name = '建筑施工'
        end,
        false
    )
{%- endmacro %}

{#- a monitoring record (state as of D) is connected at date t (SPEC §10.5 "Monitoring"):
    接入日期 <= t, no 停用日期 <= t, and 是否联网 = 是 or a 停用日期 given -#}
{% macro monitoring_is_connected_at(m, t) -%}
    coalesce(
        {{ m }}.connected_date <= {{ t }}
        and ({{ m }}.disconnected_date is null or {{ m }}.disconnected_date > {{ t }})
        and ({{ m }}.is_connected or {{ m }}.disconnected_date is not null),
        false
    )
{%- endmacro %}

{#- a self-inspection counts for the plan's §二.3 when the 主要负责人 led it -#}
{% macro self_inspection_is_principal_led(s) -%}
    coalesce({{ s }}.led_by = '主要负责人', false)
{%- endmacro %}

{#- a hazard the enterprise found itself (an empty 隐患来源 is not 企业自查, SPEC §10.5) -#}
{% macro hazard_is_self_found(source) -%}
    coalesce({{ source }} = '企业自查', false)
{%- endmacro %}

{#- the highest band_order (seed escalation_bands) among the 督办措施 taken, a `、`-joined list;
    0 when none; NULL when unknown -#}
{% macro escalation_taken_order(measures, bands) -%}
    (
        select coalesce(max({{ bands }}.band_order), 0)
        from {{ bands }}
        where
            {{ bands }}.band_order > 0
            and concat('、', {{ measures }}, '、') like concat('%、', {{ bands }}.escalation, '、%')
    )
{%- endmacro %}

{#- is_escalation_behind (SPEC §10.5 "Ledger"): false when the due band is 无, NULL when the
    measures taken are unknown, else the due band is above every measure taken -#}
{% macro is_escalation_behind(due_order, measures, taken_order) -%}
    case
        when coalesce({{ due_order }}, 0) = 0 then false
        when {{ measures }} is null then null
        else {{ due_order }} > {{ taken_order }}
    end
{%- endmacro %}

{#- is_closed_unverified (SPEC §10.5 "Ledger"): false unless 已销号, NULL when 销号核验方式 is
    unknown, else true unless 三方现场核验 -#}
{% macro is_closed_unverified(status, verification) -%}
    case
        when coalesce({{ status }}, '') <> '已销号' then false
        when {{ verification }} is null then null
        else {{ verification }} <> '三方现场核验'
    end
{%- endmacro %}

{#- the straight line of SPEC §6 for a share that must reach `target` at `due`: the value
    expected at D, 0 at the plan's start -#}
{% macro straight_line_expected(plan_start, due, target='1.0') -%}
    (
        {{ target }} * least(greatest(
            cast({{ dbt.datediff(plan_start, as_of_date(), 'day') }} as {{ type_double() }})
            / nullif({{ dbt.datediff(plan_start, due, 'day') }}, 0),
            0
        ), 1)
    )
{%- endmacro %}

{#- the dates a monitoring requirement is measured on (SPEC §10.3): its due date once it has
    passed, and D — one row per requirement and date, from `requirements` (seed
    monitoring_requirements) -#}
{% macro monitoring_measured_dates(requirements) -%}
    select
        requirement_id,
        system,
        due_date,
        due_date as measured_on
    from {{ requirements }}
    where due_date <= {{ as_of_date() }}
    union all
    select
        requirement_id,
        system,
        due_date,
        {{ as_of_date() }} as measured_on
    from {{ requirements }}
    where due_date <> {{ as_of_date() }}
{%- endmacro %}
