-- fines_yuan = entity + person fine; 一案双罚 exactly when both are fined
with

penalties as (

    select * from {{ ref('fct_penalties') }}

),

final as (

    select
        penalty_id,
        fines_yuan,
        is_double_penalty
    from penalties
    where
        fines_yuan != fine_entity_yuan + fine_person_yuan
        or is_double_penalty != (fine_entity_yuan > 0 and fine_person_yuan > 0)
        or decided_date > {{ as_of_date() }}

)

select * from final
