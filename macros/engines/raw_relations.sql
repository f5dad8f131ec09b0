{#- SPEC §11: where the engine finds the raw rows (source 'raw'). On DuckDB the loader's tables
    are in the build file itself: nothing to do. On Spark (an in-memory catalog per dbt run) the
    on-run-start hook registers every table of source 'raw' as an external Parquet table over
    `<ZHIBEN_RAW_PARQUET>/<table>/` — the ONE place that says where Spark reads the raw rows
    (zhiben.engines.spark.export_raw writes that layout today; the lake's files tomorrow). -#}
{% macro register_raw_relations() -%}
    {{ return(adapter.dispatch('register_raw_relations', 'zhiben')()) }}
{%- endmacro %}

{% macro default__register_raw_relations() -%}
{%- endmacro %}

{% macro spark__register_raw_relations() -%}
    {%- if execute -%}
        {%- set root = env_var('ZHIBEN_RAW_PARQUET') -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do run_query(
                'create table if not exists raw.' ~ source.identifier
                ~ " using parquet location '" ~ root ~ '/' ~ source.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
