{#- SPEC §11: the first row of each partition of `relation` (a relation or a CTE name) in the
    given order — every column of the relation, nothing added. `order_by` must be total where the
    choice matters and say its NULL order (the engines' defaults differ). DuckDB: QUALIFY. Spark:
    no QUALIFY before the newest releases (clusters run 3.5 / 4.0), so the row travels as a
    struct beside its row_number and is unpacked again. -#}
{% macro keep_first(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('keep_first', 'zhiben')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__keep_first(relation, partition_by, order_by) -%}
    select * from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{% macro spark__keep_first(relation, partition_by, order_by) -%}
    select zhiben_ranked.zhiben_row.*
    from (
        select
            struct(*) as zhiben_row,
            row_number() over (
                partition by {{ partition_by }} order by {{ order_by }}
            ) as zhiben_row_number
        from {{ relation }}
    ) as zhiben_ranked
    where zhiben_ranked.zhiben_row_number = 1
{%- endmacro %}
