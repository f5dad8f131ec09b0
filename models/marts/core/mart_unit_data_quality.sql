-- 数据质量 per reporting unit (SPEC §10.4): for each unit and extract, the rows read (landed
-- versions known as of D + quarantined rows; folded exact duplicates carry no unit and are left
-- out), the quarantined share, the top reasons and the late versions (更新时间 more than 30 days
-- after the event date). A row whose unit cannot be told (an unresolvable town without a known
-- enterprise) is counted with unit_code NULL.
with

versions as (

    select * from {{ ref('int_record_versions_by_unit') }}

),

quarantine as (

    select * from {{ ref('stg_raw__quarantine') }}

),

loaded as (

    select
        unit_code,
        extract,
        count(*) as rows_loaded,
        count(*) filter (where {{ is_late_version('event_date', 'updated_at') }}) as late_versions,
        count(event_date) as dated_versions
    from versions
    group by unit_code, extract

),

quarantined_rows as (

    -- one row per rejected row (the quarantine holds one per broken rule)
    select
        extract,
        file,
        line,
        max(unit_code) as unit_code
    from quarantine
    group by extract, file, line

),

quarantined as (

    select
        unit_code,
        extract,
        count(*) as rows_quarantined
    from quarantined_rows
    group by unit_code, extract

),

reason_counts as (

    select
        unit_code,
        extract,
        reason,
        count(distinct concat(file, ':', cast(line as {{ dbt.type_string() }}))) as rejected_rows
    from quarantine
    group by unit_code, extract, reason

),

ranked_reasons as (

    select
        *,
        row_number() over (
            partition by unit_code, extract order by rejected_rows desc, reason asc
        ) as reason_rank
    from reason_counts

),

top_reasons as (

    select
        unit_code,
        extract,
        {{ dbt.listagg(
            "concat(reason, '（', cast(rejected_rows as " ~ dbt.type_string() ~ "), '）')",
            "'、'",
            'order by reason_rank'
        ) }} as top_reasons
    from ranked_reasons
    where reason_rank <= 3
    group by unit_code, extract

),

keys as (

    select
        unit_code,
        extract
    from loaded
    union
    select
        unit_code,
        extract
    from quarantined

),

final as (

    select
        keys.unit_code,
        keys.extract,
        coalesce(loaded.rows_loaded, 0) + coalesce(quarantined.rows_quarantined, 0) as rows_read,
        coalesce(loaded.rows_loaded, 0) as rows_loaded,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
        {{ safe_share(
            'coalesce(quarantined.rows_quarantined, 0)',
            '(coalesce(loaded.rows_loaded, 0) + coalesce(quarantined.rows_quarantined, 0))'
        ) }} as quarantined_share,
        top_reasons.top_reasons,
        case when keys.extract <> 'enterprises' then coalesce(loaded.late_versions, 0) end
            as late_versions,
        case
            when keys.extract <> 'enterprises'
                then {{ safe_share('coalesce(loaded.late_versions, 0)', 'loaded.dated_versions') }}
        end as late_share,
        {{ as_of_date() }} as as_of_date
    from keys
    left join loaded
        on
            keys.extract = loaded.extract
            and keys.unit_code is not distinct from loaded.unit_code
    left join quarantined
        on
            keys.extract = quarantined.extract
            and keys.unit_code is not distinct from quarantined.unit_code
    left join top_reasons
        on
            keys.extract = top_reasons.extract
            and keys.unit_code is not distinct from top_reasons.unit_code

)

select * from final
