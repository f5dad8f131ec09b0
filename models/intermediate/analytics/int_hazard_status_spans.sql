-- one row per hazard × status span, from the hazard's record versions known as of D: a span
-- starts with the version that changed the status and ends when the next change is recorded
-- (valid_to NULL: the current status). The first span starts when the hazard was found (or when
-- it was first recorded, if that is earlier). Of two versions with equal updated_at the one read
-- last wins, so the earlier one's span is empty (valid_from = valid_to). A hazard deleted as of D
-- (absent from int_hazards_current) has no span.
with

versions as (

    select * from {{ ref('stg_raw__hazards') }}

),

hazards as (

    select * from {{ ref('int_hazards_current') }}

),

ordered as (

    select
        versions.hazard_id,
        versions.status,
        versions.updated_at,
        versions.read_seq,
        lag(versions.status) over (
            partition by versions.hazard_id
            order by versions.updated_at nulls last, versions.read_seq nulls last
        ) as previous_status
    from versions
    -- hazards known as of D only (found on or before D)
    inner join hazards
        on versions.hazard_id = hazards.hazard_id
    -- a deletion version (SPEC §10.5) carries no status; a restored hazard goes on from the
    -- versions around it
    where not versions.is_deleted

),

changes as (

    select
        hazard_id,
        status,
        updated_at,
        row_number() over (
            partition by hazard_id
            order by updated_at nulls last, read_seq nulls last
        ) as span_seq,
        lead(updated_at) over (
            partition by hazard_id
            order by updated_at nulls last, read_seq nulls last
        ) as valid_to
    from ordered
    where previous_status is null or status <> previous_status

),

final as (

    select
        changes.hazard_id,
        changes.status,
        changes.span_seq,
        case
            when changes.span_seq = 1
                then least(cast(hazards.found_date as timestamp), changes.updated_at)
            else changes.updated_at
        end as valid_from,
        changes.valid_to,
        changes.valid_to is null as is_current
    from changes
    inner join hazards
        on changes.hazard_id = hazards.hazard_id

)

select * from final
