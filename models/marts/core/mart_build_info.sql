-- the build this warehouse comes from: its as-of date D and when it was built
with

build_info as (

    select * from {{ ref('stg_raw__build_info') }}

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        build_info.built_at,
        build_info.raw_dir,
        build_info.max_updated_at,
        build_info.as_of_date as loader_as_of_date,
        current_timestamp as transformed_at
    from build_info

)

select * from final
