with

source as (

    select * from {{ source('raw', 'reports') }}

),

renamed as (

    select
        report_id,
        credit_code,
        channel,
        town,
        unit_code,
        verification,
        reward_yuan,
        coalesce(involves_major_hazard, false) as involves_major_hazard,
        coalesce(is_anonymous, false) as is_anonymous,
        received_date,
        feedback_date,
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
