with

source as (

    select * from {{ source('raw', 'drills') }}

),

renamed as (

    select
        drill_id,
        credit_code,
        organiser_type,
        organiser_name,
        organiser_unit_code,
        organiser_department_code,
        town,
        unit_code,
        drill_type,
        coalesce(participants, 0) as participants,
        coalesce(is_four_no, false) as is_four_no,
        drill_date,
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
