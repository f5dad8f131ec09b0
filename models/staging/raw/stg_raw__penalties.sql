with

source as (

    select * from {{ source('raw', 'penalties') }}

),

renamed as (

    select
        penalty_id,
        inspection_id,
        credit_code,
        town,
        unit_code,
        department as enforcer_name,
        penalty_kinds,
        fine_entity_yuan,
        fine_person_yuan,
        coalesce(transferred_to_judiciary, false) as is_transferred_to_judiciary,
        decided_date,
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
