-- 主要负责人带队自查 (SPEC §10.3, §10.5; plan §二.3): grain quarter × unit from the plan's first
-- year to D, every unit. required = enterprises (unit as of D) with at least one required period
-- in the quarter (int_self_inspection_periods: ended by min(qe, D), active at its end); compliant
-- = those with a 主要负责人-led 自查 in every one; compliance_share NULL when nobody is required.
-- major_hazards_found: 重大隐患 found in the quarter (up to D); major_hazards_not_self_found: those
-- whose 隐患来源 is not 企业自查 (an empty one neither) — hazards the enterprise failed to find.
with

months as (

    select * from {{ ref('int_periods_enumerated') }}

),

units as (

    select * from {{ ref('units') }}

),

periods as (

    select * from {{ ref('int_self_inspection_periods') }}

),

hazards as (

    select * from {{ ref('int_hazards_facts') }}

),

quarters as (

    select distinct
        quarter,
        year,
        quarter_start,
        quarter_end,
        quarter_as_of
    from months
    where year >= {{ plan_first_year() }}

),

grid as (

    select
        quarters.quarter,
        quarters.year,
        quarters.quarter_start,
        quarters.quarter_as_of,
        units.unit_code
    from quarters
    cross join units

),

by_enterprise as (

    select
        quarter,
        unit_code,
        credit_code,
        bool_and(is_compliant) as is_compliant
    from periods
    group by quarter, unit_code, credit_code

),

compliance as (

    select
        quarter,
        unit_code,
        count(*) as required,
        count(*) filter (where is_compliant) as compliant
    from by_enterprise
    group by quarter, unit_code

),

major as (

    select
        grid.quarter,
        grid.unit_code,
        count(hazards.hazard_id) as major_hazards_found,
        count(hazards.hazard_id) filter (
            where not {{ hazard_is_self_found("hazards.source") }}
        ) as major_hazards_not_self_found
    from grid
    left join hazards
        on
            hazards.is_major
            and grid.unit_code = hazards.unit_code
            and hazards.found_date between grid.quarter_start and grid.quarter_as_of
    group by grid.quarter, grid.unit_code

),

final as (

    select
        grid.quarter,
        grid.year,
        grid.unit_code,
        cast(coalesce(compliance.required, 0) as {{ bigint_type() }}) as required,
        cast(coalesce(compliance.compliant, 0) as {{ bigint_type() }}) as compliant,
        {{ safe_share('compliance.compliant', 'compliance.required') }} as compliance_share,
        cast(major.major_hazards_found as {{ bigint_type() }}) as major_hazards_found,
        cast(major.major_hazards_not_self_found as {{ bigint_type() }})
            as major_hazards_not_self_found,
        {{ safe_share('major.major_hazards_not_self_found', 'major.major_hazards_found') }}
            as major_hazards_not_self_found_share,
        grid.quarter_as_of,
        {{ as_of_date() }} as as_of_date
    from grid
    left join compliance
        on grid.quarter = compliance.quarter and grid.unit_code = compliance.unit_code
    inner join major
        on grid.quarter = major.quarter and grid.unit_code = major.unit_code

)

select * from final
