with

source as (

    select * from {{ source('raw', 'enterprises') }}

),

renamed as (

    select
        credit_code,
        enterprise_name,
        town,
        unit_code,
        industry as industry_name,
        scale,
        standardization_level,
        operating_status,
        -- salted sha256 of the principal's ID number (never in clear); stays out of marts
        principal_id_number_hash as principal_id_hash,
        coalesce(is_high_risk, false) as is_high_risk,
        coalesce(has_major_hazard_source, false) as has_major_hazard_source,
        -- SPEC §10.1 optional columns: NULL = the version's file lacks the column (unknown)
        is_confined_space,
        is_explosive_dust,
        dust_workers,
        is_ammonia_refrigeration,
        is_oil_gas_storage,
        open_pit_slope_m,
        risk_level,
        standardization_date,
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
