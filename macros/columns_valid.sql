{#- The per-column checks of one model in ONE query (one dbt node) instead of one test per column
    and check — the same conditions as dbt's `not_null` and `accepted_values` and our
    `value_in_range`:
      not_null:        [column, …]                        the column is never NULL
      unique:          [column, …]                        no non-NULL value occurs twice
      accepted_values: {column: [value, …], …}           a non-NULL value is one of these
      in_range:        {column: {min_value: x, max_value: y}, …}   a non-NULL value lies in [x, y]
      references:      {column: {to: model, field: f[, where: condition]}, …}   a non-NULL value
                       (of the rows meeting the condition) occurs in model.f (dbt's relationships)
    One scan of the model for the row checks (a failing row yields one row per broken check) and
    one aggregation per unique column (a duplicated value yields one row) and one anti-join per
    reference (a value missing in the referenced model yields one row per row): the column, the
    check, the offending value (as text). dbt counts those rows as the test's failures. -#}

{% test columns_valid(
    model, not_null=[], unique=[], accepted_values={}, in_range={}, references={}
) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column, 'not_null', column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set quoted = [] -%}
        {%- for value in values -%}
            {%- if value is sameas true or value is sameas false -%}
                {%- do quoted.append(value | string | lower) -%}
            {%- else -%}
                {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do checks.append((
            column,
            'accepted_values',
            column ~ ' is not null and ' ~ column ~ ' not in (' ~ quoted | join(', ') ~ ')'
        )) -%}
    {%- endfor -%}
    {%- for column, bounds in in_range.items() -%}
        {%- set outside = ['false'] -%}
        {%- if bounds.get('min_value') is not none -%}
            {%- do outside.append(column ~ ' < ' ~ bounds['min_value']) -%}
        {%- endif -%}
        {%- if bounds.get('max_value') is not none -%}
            {%- do outside.append(column ~ ' > ' ~ bounds['max_value']) -%}
        {%- endif -%}
        {%- do checks.append((
            column,
            'in_range',
            column ~ ' is not null and (' ~ outside | join(' or ') ~ ')'
        )) -%}
    {%- endfor -%}
    {%- if not (checks or unique or references) -%}
        {{ exceptions.raise_compiler_error("columns_valid on " ~ model ~ ": no checks given") }}
    {%- endif %}

    {%- if checks %}
    {{ columns_valid_row_problems(model, checks) }}
    {%- endif %}
    {%- for column in unique %}
        {{ 'union all' if checks or not loop.first }}

        select
            '{{ column }}' as column_name,
            'unique' as check_name,
            cast({{ column }} as string) as failing_value
        from {{ model }}
        where {{ column }} is not null
        group by {{ column }}
        having count(*) > 1
    {%- endfor %}
    {%- for column, reference in references.items() %}
        {{ 'union all' if checks or unique or not loop.first }}

        select
            '{{ column }}' as column_name,
            'references {{ reference["to"] }}.{{ reference["field"] }}' as check_name,
            cast(child.from_field as string) as failing_value
        from (
            select {{ column }} as from_field
            from {{ model }}
            where
                {{ column }} is not null
                {%- if reference.get('where') %} and ({{ reference['where'] }}){% endif %}
        ) as child
        left join (
            select {{ reference['field'] }} as to_field
            from {{ ref(reference['to']) }}
        ) as parent
            on child.from_field = parent.to_field
        where parent.to_field is null
    {%- endfor %}
{% endtest %}

{#- The row checks of columns_valid in one scan: per failing row one (column_name, check_name,
    failing_value) row per broken check. `checks`: (column, check name, failing condition). The
    row's problems travel as a list of structs that is unnested — in each engine's syntax. -#}
{% macro columns_valid_row_problems(model, checks) -%}
    {{ return(adapter.dispatch('columns_valid_row_problems', 'zhiben')(model, checks)) }}
{%- endmacro %}

{% macro default__columns_valid_row_problems(model, checks) -%}
    with failing_rows as (
        select
            [
                {%- for column, check, condition in checks %}
                    case
                        when {{ condition }}
                            then {
                                'column_name': '{{ column }}',
                                'check_name': '{{ check }}',
                                'value': cast({{ column }} as string)
                            }
                    end{{ ',' if not loop.last }}
                {%- endfor %}
            ] as problems
        from {{ model }}
        where
            {%- for column, check, condition in checks %}
                {{ 'or ' if not loop.first }}({{ condition }})
            {%- endfor %}
    ),

    problems as (
        select unnest(problems) as problem
        from failing_rows
    )

    select
        problem['column_name'] as column_name,
        problem['check_name'] as check_name,
        problem['value'] as failing_value
    from problems
    where problem is not null
{%- endmacro %}

{% macro spark__columns_valid_row_problems(model, checks) -%}
    with problems as (
        select
            explode(array(
                {%- for column, check, condition in checks %}
                    case
                        when {{ condition }}
                            then named_struct(
                                'column_name', '{{ column }}',
                                'check_name', '{{ check }}',
                                'value', cast({{ column }} as string)
                            )
                    end{{ ',' if not loop.last }}
                {%- endfor %}
            )) as problem
        from {{ model }}
        where
            {%- for column, check, condition in checks %}
                {{ 'or ' if not loop.first }}({{ condition }})
            {%- endfor %}
    )

    select
        problem.column_name,
        problem.check_name,
        problem.value as failing_value
    from problems
    where problem is not null
{%- endmacro %}
