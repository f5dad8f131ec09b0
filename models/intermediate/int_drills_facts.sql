-- one row per drill in its state as of D
with

drills as (

    select * from {{ ref('int_drills_current') }}

),

final as (

    select
        drill_id,
        credit_code,
        organiser_type,
        unit_code,
        industry_code,
        organiser_unit_code,
        organiser_department_code,
        drill_type,
        {{ month_key('drill_date') }} as month,
        {{ quarter_key('drill_date') }} as quarter,
        {{ half_key('drill_date') }} as half,
        {{ year_key('drill_date') }} as year,
        participants,
        organiser_type = '企业' as is_enterprise_drill,
        is_four_no,
        is_known_enterprise,
        drill_date,
        updated_at
    from drills

)

select * from final
