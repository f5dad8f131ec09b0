{#- Generic tests of the analytical marts (dbt_utils is not available offline). -#}

{#- no two rows share the combination of the given columns (a grain test) -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- every non-NULL value lies in [min_value, max_value] (either bound may be omitted) -#}
{% test value_in_range(model, column_name, min_value=none, max_value=none) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
            {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
        )
{% endtest %}

{#- the model has exactly as many rows as the expression computed over the given relation -#}
{% test row_count_equals(model, expected_sql) %}
    select n_rows, expected
    from (select count(*) as n_rows from {{ model }}) as actual_rows
    cross join ({{ expected_sql }}) as expected_rows
    where n_rows <> expected
{% endtest %}
