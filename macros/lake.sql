{#- The raw relations over the lake (SPEC §11; docs/ARCHITECTURE.md, "The lake"). Run once at
    the start of every dbt invocation (on-run-start): (re)creates `raw.<extract>` from the
    statements the loader recorded in `raw.lake_views` — views over the lake's Parquet files on
    DuckDB (another engine registers its external tables over the same files here). Nothing to do
    on a file without a lake (e.g. the test fixtures' hand-made raw tables). -#}
{% macro lake_views() %}
    {{ adapter.dispatch('lake_views', 'zhiben')() }}
{% endmacro %}

{#- Spark reads the raw rows through `raw_relation` (macros/engines/raw_relations.sql): nothing to
    register here -#}
{% macro spark__lake_views() %}
    select 1
{% endmacro %}

{% macro default__lake_views() %}
    {% if execute %}
        {% set found = run_query(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'lake_views'"
        ) %}
        {% if found.columns[0].values()[0] > 0 %}
            {% set views = run_query("select sql from raw.lake_views order by extract") %}
            {% for stmt in views.columns[0].values() %}
                {% do run_query(stmt) %}
            {% endfor %}
        {% endif %}
    {% endif %}
    select 1
{% endmacro %}
