-- every known version of every enterprise with the span it was the current state:
-- the state at time t is the row with valid_from <= t < valid_to (valid_to NULL: still current).
-- Of two versions with equal updated_at the later read wins; the earlier gets an empty span.
-- Deletions (SPEC §10.5): a deletion version ends the span before it and is no state itself; an
-- enterprise deleted as of D (absent from int_enterprises_current) has no state at any t.
with

enterprises as (

    select * from {{ ref('stg_raw__enterprises') }}

),

current_enterprises as (

    select * from {{ ref('int_enterprises_current') }}

),

industries as (

    select * from {{ ref('industries') }}

),

spans as (

    select
        enterprises.credit_code,
        enterprises.unit_code,
        industries.industry_code,
        enterprises.operating_status,
        enterprises.standardization_level,
        enterprises.is_high_risk,
        enterprises.principal_id_hash,
        {{ enterprise_is_active('enterprises.operating_status') }} as is_active,
        enterprises.is_deleted,
        enterprises.updated_at as valid_from,
        lead(enterprises.updated_at) over (
            partition by enterprises.credit_code
            order by enterprises.updated_at nulls last, enterprises.read_seq nulls last
        ) as valid_to
    from enterprises
    left join industries
        on enterprises.industry_name = industries.industry_name

),

final as (

    select
        spans.credit_code,
        spans.unit_code,
        spans.industry_code,
        spans.operating_status,
        spans.standardization_level,
        spans.is_high_risk,
        spans.principal_id_hash,
        spans.is_active,
        spans.valid_from,
        spans.valid_to
    from spans
    where
        not spans.is_deleted
        and spans.credit_code in (
            select current_enterprises.credit_code from current_enterprises
        )

)

select * from final
