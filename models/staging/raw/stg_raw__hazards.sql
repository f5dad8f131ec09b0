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
        -- SPEC §10.1 optional columns: NULL = the version's file lacks the column (unknown); in
        -- a file with it an empty cell is none: 督办措施 '' (no measure), 销号核验方式 '无'
        case
            when is_supervision_measures_known then coalesce(supervision_measures, '')
        end as supervision_measures,
        supervision_date,
        case
            when is_verification_method_known then coalesce(verification_method, '无')
        end as verification_method,
        verified_date,
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
