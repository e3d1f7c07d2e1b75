-- The benchmark's KPIs (NRR, GRR, logo churn, customers expanding, NPS, save rate), overall
-- and by segment, with cskpi's definitions (SPEC §2.1-2.2). Shared by the SQLite and
-- DuckDB runs; `movements` is the imported file. One row per group, 'all' first.
WITH rows AS (
  SELECT segment, CAST(start_mrr AS DOUBLE) AS s, CAST(expansion_mrr AS DOUBLE) AS e,
         CAST(contraction_mrr AS DOUBLE) AS c, CAST(churned_mrr AS DOUBLE) AS x,
         CAST(NULLIF(CAST(nps AS TEXT), '') AS INTEGER) AS nps,
         CAST(NULLIF(CAST(at_risk AS TEXT), '') AS INTEGER) AS at_risk,
         CAST(NULLIF(CAST(saved AS TEXT), '') AS INTEGER) AS saved
  FROM movements
), grouped AS (
  SELECT 'all' AS grp, * FROM rows
  UNION ALL
  SELECT segment AS grp, * FROM rows
)
SELECT grp,
  printf('%.6f', 100.0 * SUM(CASE WHEN s > 0 THEN s + e - c - x END) / SUM(CASE WHEN s > 0 THEN s END)) AS nrr,
  printf('%.6f', 100.0 * SUM(CASE WHEN s > 0 THEN s - c - x END) / SUM(CASE WHEN s > 0 THEN s END)) AS grr,
  printf('%.6f', 100.0 * SUM(CASE WHEN s > 0 AND x > 0 THEN 1 ELSE 0 END) / SUM(CASE WHEN s > 0 THEN 1 ELSE 0 END)) AS logo_churn,
  printf('%.6f', 100.0 * SUM(CASE WHEN s > 0 AND e > 0 THEN 1 ELSE 0 END) / SUM(CASE WHEN s > 0 THEN 1 ELSE 0 END)) AS expansion_rate,
  printf('%.6f', 100.0 * (SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / COUNT(nps)) AS nps,
  printf('%.6f', 100.0 * SUM(CASE WHEN at_risk = 1 AND saved = 1 THEN 1 ELSE 0 END) / SUM(CASE WHEN at_risk = 1 THEN 1 ELSE 0 END)) AS save_rate
FROM grouped
GROUP BY grp
ORDER BY grp <> 'all', grp;
