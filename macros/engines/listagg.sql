{#- dbt.listagg on Spark with its order: dbt-spark's own ignores `order_by_clause` (collect_list's
    order is the shuffle's), so a `、`-joined list could read in another order than on DuckDB. The
    values are collected as structs led by the order keys, sorted, then joined. Ascending keys
    only (every use in this project); NULL keys sort first, which only meets NULL values here. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set keys_text = modules.re.sub('(?i)^\\s*order\\s+by\\s+', '', order_by_clause) -%}
        {%- if modules.re.search('(?i)\\b(asc|desc|nulls)\\b', keys_text) -%}
            {{ exceptions.raise_compiler_error(
                "spark__listagg: only plain ascending order keys: " ~ order_by_clause
            ) }}
        {%- endif -%}
        {%- set ns = namespace(keys=[], depth=0, current='') -%}
        {%- for ch in keys_text -%}
            {%- if ch == ',' and ns.depth == 0 -%}
                {%- set ns.keys = ns.keys + [ns.current] -%}
                {%- set ns.current = '' -%}
            {%- else -%}
                {%- if ch == '(' -%}{%- set ns.depth = ns.depth + 1 -%}{%- endif -%}
                {%- if ch == ')' -%}{%- set ns.depth = ns.depth - 1 -%}{%- endif -%}
                {%- set ns.current = ns.current ~ ch -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set ns.keys = ns.keys + [ns.current] -%}
        {%- set fields = [] -%}
        {%- for k in ns.keys -%}
            {%- do fields.append("'k" ~ loop.index ~ "', " ~ k.strip()) -%}
        {%- endfor -%}
        {%- set collected -%}
            transform(
                array_sort(collect_list(named_struct({{ fields | join(', ') }}, 'v', {{ measure }}))),
                zhiben_x -> zhiben_x.v
            )
        {%- endset -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
