{#- SPEC §11: where the engine reads the raw rows (source 'raw'). On DuckDB the loader's tables are
    in the build file itself: the source's relation, unchanged. On Spark the Parquet files
    `<ZHIBEN_RAW_PARQUET>/<table>/` are read directly (parquet.`path`) — the ONE place that says
    where Spark reads the raw rows (zhiben.engines.export_raw writes that layout today; the lake's
    files tomorrow). Overrides dbt's `source` (which still records the dependency); no hook, so a
    DuckDB run has exactly the nodes it had. -#}
{% macro source(source_name, table_name) -%}
    {%- if builtins is not defined -%}  {#- sqlfluff's jinja templater: no dbt -#}
        {{ return(source_name ~ '.' ~ table_name) }}
    {%- endif -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- if source_name == 'raw' -%}
        {{ return(adapter.dispatch('raw_relation', 'zhiben')(relation)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro default__raw_relation(relation) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__raw_relation(relation) -%}
    {{ return('parquet.`' ~ env_var('ZHIBEN_RAW_PARQUET') ~ '/' ~ relation.identifier ~ '`') }}
{%- endmacro %}
