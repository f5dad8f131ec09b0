with

source as (

    select * from {{ source('raw', 'self_inspections') }}

),

renamed as (

    select
        self_inspection_id,
        credit_code,
        inspection_date,
        led_by,
        coalesce(hazards_found, 0) as hazards_found,
        coalesce(major_hazards_found, 0) as major_hazards_found,
        coalesce(is_deleted, false) as is_deleted,
        updated_at,
        _file as source_file,
        _line as source_line,
        _read_seq as read_seq
    from source
    -- versions recorded after the end of the as-of day are not known yet
    where {{ is_known_as_of('updated_at') }}

),

final as (

    select * from renamed

)

select * from final
