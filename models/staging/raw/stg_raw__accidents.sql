with

source as (

    select * from {{ source('raw', 'accidents') }}

),

renamed as (

    select
        accident_id,
        credit_code,
        town,
        unit_code,
        industry as industry_name,
        accident_type,
        grade_reported,
        description,
        coalesce(deaths_excl_missing, 0) as deaths_excl_missing,
        coalesce(missing, 0) as missing,
        coalesce(serious_injuries, 0) as serious_injuries,
        coalesce(minor_injuries, 0) as minor_injuries,
        direct_loss_10k_yuan,
        coalesce(is_liability, false) as is_liability,
        coalesce(is_concealed, false) as is_concealed,
        investigation_closed_date,
        occurred_at,
        reported_at,
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
