with

units as (

    select * from {{ ref('units') }}

),

final as (

    select
        unit_code,
        unit_name,
        unit_type,
        sort_order
    from units

)

select * from final
