{#- SPEC §11: dbt's dateadd / datediff on Spark, as the project uses them on DuckDB. dbt-spark's
    own go through unix seconds and `to_timestamp(<number>)`, which gives NULL (and shifts by the
    session time zone) once timestamps are TIMESTAMP_NTZ — the profile's setting that keeps them
    unshifted in the served file. TIMESTAMPADD / TIMESTAMPDIFF (Spark 3.3+) work on dates and
    both timestamp types. Found first by dbt's dispatch on Spark (the project's macros win). -#}

{#- like DuckDB's `x + interval (n) <part>`: a timestamp (a month past the month's end clamps to
    its last day) -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{#- like DuckDB's date_diff, a BIGINT: days between the dates (calendar days, also for
    timestamps); for smaller parts the whole units elapsed -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif datepart in ['hour', 'minute', 'second'] -%}
        timestampdiff({{ datepart }}, {{ first_date }}, {{ second_date }})
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "spark__datediff: datepart '" ~ datepart ~ "' not ported (only day, hour, minute,"
            ~ " second): DuckDB counts boundaries crossed, Spark whole units"
        ) }}
    {%- endif -%}
{%- endmacro %}
