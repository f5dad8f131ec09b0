-- SPEC §3/§5: names, phones, ID numbers (or their hashes, except fct_training.person_key) and
-- reporter fields never reach schema marts — whoever wrote the mart. Two checks on every model
-- of schema marts that exists when the test runs (its columns from the adapter, not from
-- information_schema, so that an engine without one works the same):
-- 1. no column is named like a PII field;
-- 2. no text column holds a resident ID number (17 digits + a valid GB 11643 check character,
--    a province and a real birth date) or a mobile number (1[3-9] + 9 digits) — whatever the
--    column, so a PII value that reached a free-text field through a malformed row is caught.
-- A failure row names the table, the column and the problem, with only the first characters of
-- the match (the region code of an ID number, the carrier prefix of a phone): never the PII.
-- It runs after the core marts (depends_on below); marts built later are covered when the test
-- is run again.
-- depends_on: {{ ref('dim_enterprise') }}
-- depends_on: {{ ref('fct_hazards') }}
-- depends_on: {{ ref('fct_accidents') }}
-- depends_on: {{ ref('fct_inspections') }}
-- depends_on: {{ ref('fct_penalties') }}
-- depends_on: {{ ref('fct_training') }}
-- depends_on: {{ ref('fct_drills') }}
-- depends_on: {{ ref('fct_reports') }}
-- depends_on: {{ ref('mart_quarantine') }}
{%- set name_patterns = [
    'hash', 'phone', 'reporter', 'id_number', 'person_name', 'principal_name'
] %}
{#- the first two digits of a resident ID: a province (GB/T 2260) -#}
{%- set province = '^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])' %}
{%- set id_weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] %}
{%- set id_candidate = '(?:^|[^0-9])([0-9]{17}[0-9Xx])(?:[^0-9]|$)' %}
{%- set phone = '(?:^|[^0-9A-Za-z])1[3-9][0-9]{9}(?:[^0-9A-Za-z]|$)' %}
{%- set checks = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.schema == 'marts' %}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias
        ) %}
        {%- if relation is not none %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- set name = column.name | lower %}
                {%- set bad_name = name == 'certificate_no'
                    or ('principal_id' in name and name != 'has_principal_id')
                    or (name_patterns | select('in', name) | list | length > 0) %}
                {%- do checks.append({
                    'relation': relation,
                    'table': node.alias,
                    'column': column.name,
                    'bad_name': bad_name,
                    'text': column.is_string()
                }) %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

with

{#- values with 11+ digits in a row, of every text column of every mart: the few that can hold
    an ID number or a mobile number (a length filter first: most columns are short codes) #}
candidates as (

    select
        cast(null as string) as table_name,
        cast(null as string) as column_name,
        cast(null as string) as value
    where false
    {%- for c in checks if c.text %}

        union all

        select
            '{{ c.table }}' as table_name,
            '{{ c.column }}' as column_name,
            {{ adapter.quote(c.column) }} as value
        from {{ c.relation }}
        where
            length({{ adapter.quote(c.column) }}) >= 11
            and {{ regexp_contains(adapter.quote(c.column), '[0-9]{11}') }}
    {%- endfor %}

),

named as (

    select
        cast(null as string) as table_name,
        cast(null as string) as column_name
    where false
    {%- for c in checks if c.bad_name %}

        union all

        select
            '{{ c.table }}' as table_name,
            '{{ c.column }}' as column_name
    {%- endfor %}

),

phones as (

    select
        table_name,
        column_name,
        left(regexp_extract(value, '1[3-9][0-9]{9}', 0), 3) as match_start
    from candidates
    where {{ regexp_contains('value', phone) }}

),

id_candidates as (

    select
        table_name,
        column_name,
        {{ regexp_each_match('value', id_candidate, 1) }} as candidate
    from candidates

),

id_numbers as (

    select
        table_name,
        column_name,
        left(candidate, 6) as match_start
    from id_candidates
    where
        {{ regexp_contains('candidate', province) }}
        and {{ try_cast_to(
            "substr(candidate, 7, 4) || '-' || substr(candidate, 11, 2) || '-'"
            ~ " || substr(candidate, 13, 2)",
            'date'
        ) }} between date '1900-01-01' and current_date
        and substr(
            '10X98765432',
            (
                {%- for w in id_weights %}
                    cast(substr(candidate, {{ loop.index }}, 1) as integer) * {{ w }}
                    {{- ' +' if not loop.last }}
                {%- endfor %}
            ) % 11 + 1,
            1
        ) = upper(substr(candidate, 18, 1))

),

final as (

    select distinct
        table_name,
        column_name,
        'column named like a PII field' as problem,
        cast(null as string) as match_start
    from named

    union all

    select distinct
        table_name,
        column_name,
        'mobile number' as problem,
        match_start
    from phones

    union all

    select distinct
        table_name,
        column_name,
        'ID number' as problem,
        match_start
    from id_numbers

)

select * from final
