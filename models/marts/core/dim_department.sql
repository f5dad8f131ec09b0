with

departments as (

    select * from {{ ref('departments') }}

),

industries as (

    select * from {{ ref('industries') }}

),

led as (

    select
        lead_department_code as department_code,
        count(*) as led_industries
    from industries
    group by lead_department_code

),

final as (

    select
        departments.department_code,
        departments.department_name,
        departments.short_name,
        departments.sort_order,
        coalesce(led.led_industries, 0) as led_industries,
        coalesce(led.led_industries, 0) > 0 as leads_industry
    from departments
    left join led
        on departments.department_code = led.department_code

)

select * from final
