-- SPEC §3/§5: names, phones, ID numbers (or their hashes, except fct_training.person_key) and
-- reporter fields never reach schema marts — whoever wrote the mart. It runs after the core
-- marts (depends_on below); marts built later are covered when the test is run again.
-- depends_on: {{ ref('dim_enterprise') }}
-- depends_on: {{ ref('fct_hazards') }}
-- depends_on: {{ ref('fct_accidents') }}
-- depends_on: {{ ref('fct_inspections') }}
-- depends_on: {{ ref('fct_penalties') }}
-- depends_on: {{ ref('fct_training') }}
-- depends_on: {{ ref('fct_drills') }}
-- depends_on: {{ ref('fct_reports') }}
-- depends_on: {{ ref('mart_quarantine') }}
with

columns as (

    select
        table_name,
        column_name
    from information_schema.columns
    where table_schema = 'marts'

),

final as (

    select
        table_name,
        column_name
    from columns
    where
        column_name like '%hash%'
        or column_name like '%phone%'
        or column_name like '%reporter%'
        or column_name like '%id_number%'
        or column_name like '%person_name%'
        or column_name like '%principal_name%'
        or (column_name like '%principal_id%' and column_name != 'has_principal_id')
        or column_name = 'certificate_no'

)

select * from final
