with

source as (

    select * from {{ source('raw', 'hazards') }}

),

renamed as (

    select
        hazard_id,
        credit_code,
        town,
        unit_code,
        industry as industry_name,
        source as hazard_source,
        level,
        category,
        campaign,
        description,
        status,
        supervision_level,
        department as department_name,
        funds_10k_yuan,
        coalesce(is_listed_supervision, false) as is_listed_supervision,
        found_date,
        deadline,
        rectified_date,
        closed_date,
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
