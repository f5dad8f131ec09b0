with

source as (

    select * from {{ source('raw', 'monitoring') }}

),

renamed as (

    select
        credit_code,
        system,
        coalesce(is_connected, false) as is_connected,
        connected_date,
        disconnected_date,
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
