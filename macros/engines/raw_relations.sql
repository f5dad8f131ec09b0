{#- SPEC §11: where the engine reads the raw rows (source 'raw'). On DuckDB the loader's tables are
    in the build file itself: the source's relation, unchanged. On Spark this macro is the ONE
    place that says where the raw rows are read (zhiben.engines.spark_env gives it the folders):
    - an extract (hazards, enterprises, …; ZHIBEN_LAKE_COLUMNS lists them with their columns) is
      read from the lake's Parquet entries directly, as the build file's view `raw.<extract>`
      reads them (zhiben.ingest.land.lake_view_sql): the entries of THIS build's files
      (raw.lake_entries: the entry's key, its first `_read_seq`) minus the rows the loader does
      not load (raw.lake_dropped: quarantined and folded rows);
    - the loader's own small tables (lake_entries, lake_dropped, quarantine, load_reconciliation,
      build_info) from `<ZHIBEN_RAW_PARQUET>/<table>/` (zhiben.engines.export_raw writes them).
    Overrides dbt's `source` (which still records the dependency); no hook, so a DuckDB run has
    exactly the nodes it had. -#}
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
    {%- set table = relation.identifier -%}
    {%- set loader = env_var('ZHIBEN_RAW_PARQUET') -%}
    {%- set lake_columns = fromjson(env_var('ZHIBEN_LAKE_COLUMNS', '{}')) -%}
    {%- if table not in lake_columns -%}
        {{ return('parquet.`' ~ loader ~ '/' ~ table ~ '`') }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for c in lake_columns[table] -%}
        {%- do columns.append('zhiben_lake.`' ~ c ~ '`') -%}
    {%- endfor -%}
    {#- the extract's schema file (its columns even with no entry) and every entry of the lake;
        an entry is the build's when its key (the folder, 40 letters a-p) is in lake_entries -#}
    {%- set files = env_var('ZHIBEN_LAKE_DIR') ~ '/{_schema/' ~ table ~ '.parquet,'
        ~ table ~ '/*/rows.parquet}' -%}
    {%- set key = "'/([a-p]{40})/rows[.]parquet$'" -%}
    {%- set sql -%}
(
    select
        zhiben_lake._file,
        zhiben_lake._line,
        zhiben_lake._read_seq,
        {{ columns | join(',\n        ') }}
    from (
        select
            zhiben_rows.*,
            cast(zhiben_entry.seq_start + zhiben_rows._lk_row + 1 as bigint) as _read_seq
        from parquet.`{{ files }}` as zhiben_rows
        inner join parquet.`{{ loader }}/lake_entries` as zhiben_entry
            on
                zhiben_entry.extract = '{{ table }}'
                and zhiben_entry.file = zhiben_rows._file
                and regexp_extract(zhiben_entry.path, {{ key }}, 1)
                = regexp_extract(zhiben_rows._metadata.file_path, {{ key }}, 1)
    ) as zhiben_lake
    left anti join parquet.`{{ loader }}/lake_dropped` as zhiben_dropped
        on
            zhiben_dropped.extract = '{{ table }}'
            and zhiben_lake._read_seq = zhiben_dropped._read_seq
)
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}
