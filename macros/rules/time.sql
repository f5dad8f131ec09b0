{#- The as-of date D (SPEC §9 "Time"), 'YYYY-MM-DD': var `as_of_date`, else (as `zhiben build`
    passes it) the environment variable ZHIBEN_AS_OF_DATE. The environment is read only when
    executing, never while parsing: D is then no part of dbt's parse state, and a new D does not
    force a full parse as a changed --vars does. D covers all of day D: anything timestamped after
    the end of D is ignored. -#}

{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if (value is none or value == '') and execute -%}
        {%- set value = env_var('ZHIBEN_AS_OF_DATE', '') -%}
    {%- endif -%}
    {%- if value is none or value == '' -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "as-of date D required: dbt ... --vars '{as_of_date: \"YYYY-MM-DD\"}' "
                ~ "or ZHIBEN_AS_OF_DATE=YYYY-MM-DD"
            ) }}
        {%- endif -%}
        cast(null as date)
    {%- elif execute and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
        {{ exceptions.raise_compiler_error(
            "var 'as_of_date' must be 'YYYY-MM-DD', got '" ~ value ~ "'"
        ) }}
    {%- else -%}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- true when the timestamp (or date) lies on or before the end of day D -#}
{% macro is_known_as_of(column) -%}
    {{ column }} < {{ dbt.dateadd('day', 1, as_of_date()) }}
{%- endmacro %}

{#- a select of the rows of `relation` that are the state of each key as of D: its latest
    version (the relation holds versions with updated_at <= D only); of equal updated_at the one
    read last (larger read_seq) wins.
    Deletions (SPEC §10.1 / §10.5, column is_deleted): a record whose latest version is a
    deletion has no state (deleted='drop', the default: every int_*_current model); with
    deleted='skip' the deletion versions are passed over, giving the record's last state before
    its deletion (what a fact of a deleted enterprise takes). A later version restores it. -#}
{% macro latest_version(relation, key, deleted='drop') -%}
    {%- if deleted not in ('drop', 'skip') -%}
        {{ exceptions.raise_compiler_error("latest_version: deleted must be 'drop' or 'skip'") }}
    {%- endif -%}
    {%- set order = 'updated_at desc nulls last, read_seq desc nulls last' -%}
    {%- if deleted == 'skip' -%}
        {{ keep_first(
            '(select * from ' ~ relation ~ ' where not is_deleted) as zhiben_undeleted',
            key,
            order
        ) }}
    {%- else -%}
        select * from ({{ keep_first(relation, key, order) }}) as zhiben_latest
        where not zhiben_latest.is_deleted
    {%- endif %}
{%- endmacro %}

{#- the row of a span relation (valid_from / valid_to timestamps, valid_to NULL = current) that
    was the state at the end of day t -#}
{% macro is_state_at(spans, t) -%}
    (
        {{ spans }}.valid_from < {{ dbt.dateadd('day', 1, t) }}
        and (
            {{ spans }}.valid_to is null
            or {{ spans }}.valid_to >= {{ dbt.dateadd('day', 1, t) }}
        )
    )
{%- endmacro %}
