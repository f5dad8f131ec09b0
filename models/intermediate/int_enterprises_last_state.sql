-- each enterprise's last state as of D that is not a deletion (SPEC §10.5): what a fact takes
-- when its own 所属镇街 / 行业领域 is empty, also when the enterprise has since been deleted.
-- An enterprise that is not deleted has the state of int_enterprises_current; is_deleted: it has
-- left the directory (absent from int_enterprises_current).
with

enterprises as (

    select * from {{ ref('stg_raw__enterprises') }}

),

industries as (

    select * from {{ ref('industries') }}

),

current_enterprises as (

    select * from {{ ref('int_enterprises_current') }}

),

last_versions as (

    {{ latest_version('enterprises', 'credit_code', deleted='skip') }}

),

final as (

    select
        last_versions.credit_code,
        last_versions.unit_code,
        industries.industry_code,
        last_versions.principal_id_hash,
        current_enterprises.credit_code is null as is_deleted,
        last_versions.updated_at
    from last_versions
    left join industries
        on last_versions.industry_name = industries.industry_name
    left join current_enterprises
        on last_versions.credit_code = current_enterprises.credit_code

)

select * from final
