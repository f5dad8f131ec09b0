-- per file read: rows read, loaded, quarantined, folded (the loader's counts)
with

source as (

    select * from {{ source('raw', 'load_reconciliation') }}

),

renamed as (

    select
        extract,
        file,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_folded
    from source

)

select * from renamed
