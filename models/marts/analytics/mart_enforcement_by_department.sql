-- 监管执法 by enforcing department: one row per quarter × department (D01 … D12) from 2023Q1 to
-- the as-of quarter, zero rows included; counts by the enforcing body (执法部门) — a 镇街's own
-- enforcement belongs to no department.
{{ enforcement_by_quarter(ref('dim_department'), 'department_code') }}
