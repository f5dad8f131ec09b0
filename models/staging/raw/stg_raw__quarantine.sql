-- the loader's quarantine (one row per rejected row and broken rule); never a PII value
with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

renamed as (

    select
        extract,
        file,
        line,
        column_zh,
        column_name,
        reason_code,
        reason,
        value,
        record_key,
        unit_code,
        month
    from source

)

select * from renamed
