with

source as (

    select * from {{ source('raw', 'tasks') }}

),

renamed as (

    select
        task_id,
        owner as owner_written,
        owner_code,
        reported_date,
        done_qty,
        coalesce(is_done, false) as is_done,
        completed_date,
        progress_note,
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
