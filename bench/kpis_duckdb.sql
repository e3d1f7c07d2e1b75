-- The benchmark's KPIs as a DuckDB user would write them (issue 13): one scan of the CSV
-- with typed columns (exact DECIMAL(18,2) money, INTEGER nps, BOOLEAN flags), aggregates with
-- FILTER, and GROUPING SETS for the whole base and each segment in the same pass. `FILE` is
-- replaced by the CSV's path. One row per group, 'all' first; cskpi's definitions (SPEC §2.1-2.2).
SELECT CASE WHEN grouping(segment) = 1 THEN 'all' ELSE segment END AS grp,
  printf('%.6f', 100 * sum(start_mrr + expansion_mrr - contraction_mrr - churned_mrr) FILTER (start_mrr > 0)
                     / sum(start_mrr) FILTER (start_mrr > 0)) AS nrr,
  printf('%.6f', 100 * sum(start_mrr - contraction_mrr - churned_mrr) FILTER (start_mrr > 0)
                     / sum(start_mrr) FILTER (start_mrr > 0)) AS grr,
  printf('%.6f', 100 * count(*) FILTER (start_mrr > 0 AND churned_mrr > 0) / count(*) FILTER (start_mrr > 0)) AS logo_churn,
  printf('%.6f', 100 * count(*) FILTER (start_mrr > 0 AND expansion_mrr > 0) / count(*) FILTER (start_mrr > 0)) AS expansion_rate,
  printf('%.6f', 100 * (count(*) FILTER (nps >= 9) - count(*) FILTER (nps <= 6)) / count(nps)) AS nps,
  printf('%.6f', 100 * count(*) FILTER (at_risk AND saved) / count(*) FILTER (at_risk)) AS save_rate
FROM read_csv('FILE', header = true, columns = {
  'customer_id': 'VARCHAR', 'company': 'VARCHAR', 'segment': 'VARCHAR', 'period': 'VARCHAR',
  'start_mrr': 'DECIMAL(18,2)', 'expansion_mrr': 'DECIMAL(18,2)', 'contraction_mrr': 'DECIMAL(18,2)',
  'churned_mrr': 'DECIMAL(18,2)', 'nps': 'INTEGER', 'at_risk': 'BOOLEAN', 'saved': 'BOOLEAN'})
GROUP BY GROUPING SETS ((), (segment))
ORDER BY grouping(segment) = 0, segment;
