-- the weights of each scope of the seed evaluation_indicators sum to 100 (SPEC §7)
with

indicators as (

    select * from {{ ref('evaluation_indicators') }}

),

final as (

    select
        scope,
        sum(weight) as total_weight
    from indicators
    group by scope
    having abs(sum(weight) - 100) > 1e-9

)

select * from final
