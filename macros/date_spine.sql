{#- One row per day, column date_day, from start_date up to (not including) end_date.
    Engine-specific (table functions differ), so dispatched per adapter. -#}
{% macro day_spine(start_date, end_date) -%}
    {{ adapter.dispatch("day_spine", "zhiben")(start_date, end_date) }}
{%- endmacro %}

{% macro default__day_spine(start_date, end_date) -%}
    select cast(day_ts as date) as date_day
    from
        range(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval 1 day
        ) as spine (day_ts)
{%- endmacro %}

{% macro spark__day_spine(start_date, end_date) -%}
    select explode(sequence(
        cast({{ start_date }} as date),
        date_sub(cast({{ end_date }} as date), 1),
        interval 1 day
    )) as date_day
{%- endmacro %}
