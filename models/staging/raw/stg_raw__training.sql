with

source as (

    select * from {{ source('raw', 'training') }}

),

renamed as (

    select
        training_id,
        -- salted sha256 of the ID number (never in clear): counts distinct people
        id_number_hash as person_hash,
        credit_code,
        person_role,
        training_type,
        special_work_type,
        exam_result,
        certificate_no,
        hours,
        certificate_valid_until,
        training_date,
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
