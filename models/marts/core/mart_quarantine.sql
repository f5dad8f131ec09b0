-- one row per (rejected row, broken rule); the loader never lands a PII value here
with

quarantine as (

    select * from {{ ref('stg_raw__quarantine') }}

),

final as (

    select
        extract,
        file,
        line,
        column_zh,
        column_name,
        reason_code,
        reason,
        -- the loader never writes a PII value; masked here again, should one ever slip through
        case
            when coalesce(column_name, '') not in ({{ pii_column_list() }}) then value
        end as value,
        record_key,
        unit_code,
        month
    from quarantine

)

select * from final
