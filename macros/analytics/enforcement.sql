{#- The body of the enforcement marts (SPEC §5, §9 "Enforcement"): one row per quarter (from
    int_periods_enumerated) × member of `members` (a relation with column `key`), zero rows
    included. Inspections count by their date, penalties by their 决定日期, each under its own
    `key` column (unit_code: where it happened; department_code: the enforcing body).
    `own_key` (the unit grain: enforcing_unit_code) adds the member's OWN enforcement — records
    whose 执法部门 names the member — as own_inspections, own_penalty_cases and
    own_non_site_inspections, and is_zero_penalty then judges those; without it (the department
    grain, whose key already is the enforcing body) is_zero_penalty judges the key's counts. -#}
{% macro enforcement_by_quarter(members, key, own_key=none) %}

with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

members as (

    select * from {{ members }}

),

inspections as (

    select * from {{ ref('fct_inspections') }}

),

penalties as (

    select * from {{ ref('fct_penalties') }}

),

quarters as (

    select distinct
        quarter,
        year
    from periods

),

grid as (

    select
        quarters.quarter,
        quarters.year,
        members.{{ key }}
    from quarters
    cross join members

),

inspection_counts as (

    select
        {{ quarter_key('inspection_date') }} as quarter,
        {{ key }},
        count(*) as inspections,
        count(*) filter (where is_non_site) as non_site_inspections
    from inspections
    where {{ key }} is not null
    group by 1, 2

),

penalty_counts as (

    select
        {{ quarter_key('decided_date') }} as quarter,
        {{ key }},
        count(*) as penalty_cases,
        count(*) filter (where is_double_penalty) as double_penalty_cases,
        sum(coalesce(fines_yuan, 0)) as fines_yuan
    from penalties
    where {{ key }} is not null
    group by 1, 2

),
{%- if own_key is not none %}

own_inspection_counts as (

    select
        {{ quarter_key('inspection_date') }} as quarter,
        {{ own_key }} as {{ key }},
        count(*) as own_inspections,
        count(*) filter (where is_non_site) as own_non_site_inspections
    from inspections
    where {{ own_key }} is not null
    group by 1, 2

),

own_penalty_counts as (

    select
        {{ quarter_key('decided_date') }} as quarter,
        {{ own_key }} as {{ key }},
        count(*) as own_penalty_cases
    from penalties
    where {{ own_key }} is not null
    group by 1, 2

),
{%- endif %}

counted as (

    select
        grid.quarter,
        grid.{{ key }},
        grid.year,
        coalesce(inspection_counts.inspections, 0) as inspections,
        coalesce(inspection_counts.non_site_inspections, 0) as non_site_inspections,
        coalesce(penalty_counts.penalty_cases, 0) as penalty_cases,
        coalesce(penalty_counts.double_penalty_cases, 0) as double_penalty_cases,
        coalesce(penalty_counts.fines_yuan, 0) as fines_yuan
        {%- if own_key is not none %},
            coalesce(own_inspection_counts.own_inspections, 0) as own_inspections,
            coalesce(own_penalty_counts.own_penalty_cases, 0) as own_penalty_cases,
            coalesce(own_inspection_counts.own_non_site_inspections, 0)
                as own_non_site_inspections
        {%- endif %}
    from grid
    left join inspection_counts
        on
            grid.quarter = inspection_counts.quarter
            and grid.{{ key }} = inspection_counts.{{ key }}
    left join penalty_counts
        on
            grid.quarter = penalty_counts.quarter
            and grid.{{ key }} = penalty_counts.{{ key }}
    {%- if own_key is not none %}
        left join own_inspection_counts
            on
                grid.quarter = own_inspection_counts.quarter
                and grid.{{ key }} = own_inspection_counts.{{ key }}
        left join own_penalty_counts
            on
                grid.quarter = own_penalty_counts.quarter
                and grid.{{ key }} = own_penalty_counts.{{ key }}
    {%- endif %}

),

final as (

    select
        quarter,
        {{ key }},
        year,
        inspections,
        non_site_inspections,
        penalty_cases,
        double_penalty_cases,
        fines_yuan,
        {{ safe_share('penalty_cases', 'inspections') }} as penalty_rate,
        {{ safe_share('non_site_inspections', 'inspections') }} as non_site_share,
        {%- if own_key is not none %}
            own_inspections,
            own_penalty_cases,
            own_non_site_inspections,
            {{ is_zero_penalty('own_inspections', 'own_penalty_cases') }} as is_zero_penalty
        {%- else %}
            {{ is_zero_penalty('inspections', 'penalty_cases') }} as is_zero_penalty
        {%- endif %}
    from counted

)

select * from final

{% endmacro %}
