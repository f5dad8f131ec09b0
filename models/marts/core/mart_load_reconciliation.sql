-- per file read: rows read = loaded + quarantined + folded (SPEC §3 "Nothing is lost silently")
with

reconciliation as (

    select * from {{ ref('stg_raw__load_reconciliation') }}

),

final as (

    select
        extract,
        file,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_folded,
        rows_read = rows_loaded + rows_quarantined + rows_folded as is_balanced
    from reconciliation

)

select * from final
