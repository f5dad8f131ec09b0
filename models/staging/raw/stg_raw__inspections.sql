with

source as (

    select * from {{ source('raw', 'inspections') }}

),

renamed as (

    select
        inspection_id,
        credit_code,
        town,
        unit_code,
        department as enforcer_name,
        method,
        campaign,
        coalesce(hazards_found, 0) as hazards_found,
        coalesce(major_hazards_found, 0) as major_hazards_found,
        coalesce(case_opened, false) as is_case_opened,
        inspection_date,
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
