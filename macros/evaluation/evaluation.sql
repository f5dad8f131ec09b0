{#- Helpers of the quarterly evaluation (issue 4, SPEC §7 / §9 "Evaluation"). -#}

{#- "100 × value ÷ the best one's": the score of a value normalised by the best in its quarter.
    when_missing: the score of a NULL value; when_best_zero: the score when the best is 0. -#}
{% macro score_against_best(value, best, when_missing, when_best_zero) -%}
    case
        when {{ value }} is null then {{ when_missing }}
        when coalesce({{ best }}, 0) = 0 then {{ when_best_zero }}
        else 100.0 * ({{ value }} / {{ best }})
    end
{%- endmacro %}

{#- I5 事故双下降: 100 when accidents and deaths both met, 50 one, 0 none (met as in
    mart_accident_trend: fewer, or zero both years) -#}
{% macro double_decline_score(accidents, prev_accidents, deaths, prev_deaths) -%}
    (
        case when {{ is_decline_met(accidents, prev_accidents) }} then cast(50 as double) else 0 end
        + case when {{ is_decline_met(deaths, prev_deaths) }} then cast(50 as double) else 0 end
    )
{%- endmacro %}

{#- The weight of an indicator in a scope, from the seed evaluation_indicators (0 when absent),
    as an aggregate over the seed's rows. -#}
{% macro indicator_weight(indicator_id) -%}
    coalesce(max(case when indicator_id = '{{ indicator_id }}' then weight end), 0)
{%- endmacro %}

{#- The body of the one-row `weights` CTE: weight_<id> for each indicator of a scope (unit or
    department), read from the import CTE `indicators` (the seed evaluation_indicators). -#}
{% macro indicator_weights(scope, indicator_ids) -%}
    select
        {%- for indicator_id in indicator_ids %}
        {{ indicator_weight(indicator_id) }} as weight_{{ indicator_id | lower }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from indicators
    where scope = '{{ scope }}'
{%- endmacro %}

{#- I5's raw value: how many of accidents and deaths met the 双下降 (0, 1 or 2) -#}
{% macro double_decline_met_count(accidents, prev_accidents, deaths, prev_deaths) -%}
    (
        case when {{ is_decline_met(accidents, prev_accidents) }} then 1 else 0 end
        + case when {{ is_decline_met(deaths, prev_deaths) }} then 1 else 0 end
    )
{%- endmacro %}

{#- I1 and I2 counts over `hazards` joined to `quarters` on found_date <= period_end: 重大隐患
    found by qe and of those the ones rectified by qe; hazards of every level whose deadline falls
    in the quarter (up to D) and of those the ones rectified by their deadline -#}
{% macro hazard_rectification_counts(hazards='hazards', quarters='quarters') -%}
    count(case when {{ hazards }}.is_major then 1 end) as major_hazards,
    count(
        case
            when
                {{ hazards }}.is_major
                and {{ hazard_is_rectified_by(hazards, quarters ~ '.period_end') }}
                then 1
        end
    ) as major_hazards_rectified,
    count(
        case
            when {{ hazard_is_due_between(
                hazards, quarters ~ '.quarter_start', quarters ~ '.period_end'
            ) }}
                then 1
        end
    ) as hazards_due,
    count(
        case
            when
                {{ hazard_is_due_between(
                    hazards, quarters ~ '.quarter_start', quarters ~ '.period_end'
                ) }}
                and coalesce({{ hazards }}.rectified_on_time, false)
                then 1
        end
    ) as hazards_due_rectified_on_time
{%- endmacro %}

{#- I5: accidents and deaths Jan 1 → qe (accidents_ytd, deaths_ytd) and over the same span a year
    before (accidents_prev_ytd, deaths_prev_ytd), over `accidents` joined to `quarters` on
    accident_in_ytd_spans -#}
{% macro accident_ytd_counts(accidents='accidents', quarters='quarters') -%}
    count(
        case when {{ accidents }}.occurred_date >= {{ quarters }}.year_start then 1 end
    ) as accidents_ytd,
    cast(coalesce(sum(
        case
            when {{ accidents }}.occurred_date >= {{ quarters }}.year_start
                then {{ accidents }}.deaths
        end
    ), 0) as bigint) as deaths_ytd,
    count(
        case when {{ accidents }}.occurred_date <= {{ quarters }}.previous_year_period_end then 1 end
    ) as accidents_prev_ytd,
    cast(coalesce(sum(
        case
            when {{ accidents }}.occurred_date <= {{ quarters }}.previous_year_period_end
                then {{ accidents }}.deaths
        end
    ), 0) as bigint) as deaths_prev_ytd
{%- endmacro %}

{#- the join condition of accidents to the quarters whose I5 spans (Jan 1 → qe, or the same span
    a year before) hold their occurred_date -#}
{% macro accident_in_ytd_spans(accidents='accidents', quarters='quarters') -%}
    {{ accidents }}.occurred_date >= {{ quarters }}.previous_year_start
    and {{ accidents }}.occurred_date <= {{ quarters }}.period_end
    and (
        {{ accidents }}.occurred_date >= {{ quarters }}.year_start
        or {{ accidents }}.occurred_date <= {{ quarters }}.previous_year_period_end
    )
{%- endmacro %}
