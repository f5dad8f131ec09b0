-- each self-inspection (自查) in its state as of D
with

self_inspections as (

    select * from {{ ref('stg_raw__self_inspections') }}

),

current_versions as (

    {{ latest_version('self_inspections', 'self_inspection_id') }}

),

final as (

    select
        self_inspection_id,
        credit_code,
        inspection_date,
        led_by,
        hazards_found,
        major_hazards_found,
        updated_at
    from current_versions
    where inspection_date <= {{ as_of_date() }}

)

select * from final
