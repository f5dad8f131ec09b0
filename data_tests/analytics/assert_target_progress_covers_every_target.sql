-- every target of the seed has exactly one progress row and at least one milestone row
select targets.target_id
from {{ ref('targets') }} as targets
left join {{ ref('mart_target_progress') }} as progress
    on targets.target_id = progress.target_id
where
    progress.target_id is null
    or not exists (
        select 1 from {{ ref('mart_target_milestones') }} as milestones
        where milestones.target_id = targets.target_id
    )
