{#- The 晾晒考评 ranking rule (SPEC §7, §9 "Evaluation"), defined once. The marts call these
    macros; Python renders the same two macros from this file (zhiben.ranking: `zhiben rank
    --weights`, the notebooks) and runs the SQL with DuckDB, so every ranking takes one code path.
    Plain Jinja only (no dbt functions): Python renders it without dbt. -#}

{#- Σ weight × score ÷ 100 over the indicators, in their order (weight_<id> columns of `weights`,
    <id>_score columns of `scores`) -#}
{% macro weighted_score(weights, scores, indicator_ids) -%}
    (
    {%- for indicator_id in indicator_ids %}
        {{ "+ " if not loop.first }}{{ weights }}.weight_{{ indicator_id | lower }}
        * {{ scores }}.{{ indicator_id | lower }}_score
    {%- endfor %}
    ) / 100.0
{%- endmacro %}

{#- The total: the weighted score plus the deductions (each ≤ 0, added in the order given: float
    addition is not associative, so every caller passes the same order), floored at 0 -#}
{% macro evaluation_total(weighted, deductions=[]) -%}
    greatest({{ weighted }}{% for deduction in deductions %} + {{ deduction }}{% endfor %}, 0.0)
{%- endmacro %}

{#- The rows of `relation` (one per partition × code, with total_score, i1_score, veto) with
    their rank in the partition (a quarter; the what-if adds its scenario): total descending,
    totals within 1e-9 tie (consecutive totals of the descending order closer than that share a
    tie group), ties by the higher I1 score, then the lower code; vetoed rows last among
    themselves by the same order. partition_by: a column or a list of columns. -#}
{% macro evaluation_ranked(relation, code_column, partition_by='quarter') -%}
    {%- set partition = [partition_by] if partition_by is string else partition_by -%}
    select
        grouped.*,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            partition by {% for column in partition %}grouped.{{ column }}{{ ", " if not loop.last }}{% endfor %}
            order by
                grouped.veto nulls last,
                grouped.tie_group nulls last,
                grouped.i1_score desc nulls last,
                grouped.{{ code_column }} nulls last
        ) as bigint) as rank
    from (
        select
            with_previous.*,
            sum(
                case
                    when
                        with_previous.previous_total is null
                        or with_previous.previous_total - with_previous.total_score > 1e-9
                        then 1
                    else 0
                end
            ) over (
                partition by {% for column in partition %}with_previous.{{ column }}, {% endfor %}with_previous.veto
                order by
                    with_previous.total_score desc nulls last,
                    with_previous.i1_score desc nulls last,
                    with_previous.{{ code_column }} nulls last
                rows between unbounded preceding and current row
            ) as tie_group
        from (
            select
                {{ relation }}.*,
                lag({{ relation }}.total_score) over (
                    partition by {% for column in partition %}{{ relation }}.{{ column }}, {% endfor %}{{ relation }}.veto
                    order by
                        {{ relation }}.total_score desc nulls last,
                        {{ relation }}.i1_score desc nulls last,
                        {{ relation }}.{{ code_column }} nulls last
                ) as previous_total
            from {{ relation }}
        ) as with_previous
    ) as grouped
{%- endmacro %}
