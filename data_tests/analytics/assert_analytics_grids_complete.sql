-- The grid marts carry every unit (department, industry) for every period from 2023 (2024 for the
-- yearly ones) to D (SPEC §9 "Grid marts"): list each missing combination. Together with the
-- grain tests (no duplicates) this pins each grid exactly.
with

periods as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select unit_code from {{ ref('dim_unit') }}

),

expected_quarter_units as (

    select distinct
        periods.quarter,
        units.unit_code
    from periods
    cross join units

),

quarters as (

    select distinct quarter from periods

),

years as (

    select distinct year from periods
    where year >= {{ plan_first_year() }}

),

yearly_marts as (

    select 'mart_accident_trend' as mart
    union all
    select 'mart_training_coverage' as mart

),

yearly_rows as (

    select
        'mart_accident_trend' as mart,
        year,
        unit_code
    from {{ ref('mart_accident_trend') }}
    union all
    select
        'mart_training_coverage' as mart,
        year,
        unit_code
    from {{ ref('mart_training_coverage') }}

),

missing as (

    select
        'mart_monthly_dispatch' as mart,
        concat(periods.month, ' ', units.unit_code) as missing_key
    from periods
    cross join units
    left join {{ ref('mart_monthly_dispatch') }} as mart
        on periods.month = mart.month and units.unit_code = mart.unit_code
    where mart.month is null

    union all

    select
        'mart_enforcement' as mart,
        concat(expected.quarter, ' ', expected.unit_code) as missing_key
    from expected_quarter_units as expected
    left join {{ ref('mart_enforcement') }} as mart
        on expected.quarter = mart.quarter and expected.unit_code = mart.unit_code
    where mart.quarter is null

    union all

    select
        'mart_region_industry_stats' as mart,
        concat(expected.quarter, ' ', expected.unit_code, ' ', industries.industry_code)
            as missing_key
    from expected_quarter_units as expected
    cross join {{ ref('dim_industry') }} as industries
    left join {{ ref('mart_region_industry_stats') }} as mart
        on
            expected.quarter = mart.quarter
            and expected.unit_code = mart.unit_code
            and industries.industry_code = mart.industry_code
    where mart.quarter is null

    union all

    select
        'mart_enforcement_by_department' as mart,
        concat(quarters.quarter, ' ', departments.department_code) as missing_key
    from quarters
    cross join {{ ref('dim_department') }} as departments
    left join {{ ref('mart_enforcement_by_department') }} as mart
        on
            quarters.quarter = mart.quarter
            and departments.department_code = mart.department_code
    where mart.quarter is null

    union all

    select
        yearly_marts.mart,
        concat(cast(years.year as {{ dbt.type_string() }}), ' ', units.unit_code) as missing_key
    from years
    cross join units
    cross join yearly_marts
    left join yearly_rows
        on
            yearly_marts.mart = yearly_rows.mart
            and years.year = yearly_rows.year
            and units.unit_code = yearly_rows.unit_code
    where yearly_rows.year is null

)

select * from missing
