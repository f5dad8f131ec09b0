-- the loader's record of the build: its as-of date, when, from which drop
with

source as (

    select * from {{ source('raw', 'build_info') }}

),

renamed as (

    select
        as_of_date,
        built_at,
        raw_dir,
        max_updated_at
    from source

)

select * from renamed
