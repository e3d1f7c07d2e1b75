-- The benchmark's KPIs for SQLite as its user would write them: one scan of a typed table,
-- aggregates with FILTER per segment (SQLite has no GROUPING SETS), and the whole base summed
-- from the segments' sums (a MATERIALIZED CTE, so the table is read once). One row per group,
-- 'all' first; cskpi's definitions (SPEC §2.1-2.2). `movements` is the imported file.
WITH g AS MATERIALIZED (
  SELECT segment,
    SUM(start_mrr) FILTER (WHERE start_mrr > 0) AS s,
    SUM(start_mrr + expansion_mrr - contraction_mrr - churned_mrr) FILTER (WHERE start_mrr > 0) AS net,
    SUM(start_mrr - contraction_mrr - churned_mrr) FILTER (WHERE start_mrr > 0) AS gross,
    COUNT(*) FILTER (WHERE start_mrr > 0) AS n,
    COUNT(*) FILTER (WHERE start_mrr > 0 AND churned_mrr > 0) AS churned,
    COUNT(*) FILTER (WHERE start_mrr > 0 AND expansion_mrr > 0) AS expanding,
    COUNT(*) FILTER (WHERE nps >= 9) AS promoters,
    COUNT(*) FILTER (WHERE nps <= 6) AS detractors,
    COUNT(nps) AS responses,
    COUNT(*) FILTER (WHERE at_risk = 1) AS at_risk,
    COUNT(*) FILTER (WHERE at_risk = 1 AND saved = 1) AS saved
  FROM movements
  GROUP BY segment
), t AS (
  SELECT 'all' AS grp, 0 AS o, SUM(s) AS s, SUM(net) AS net, SUM(gross) AS gross, SUM(n) AS n, SUM(churned) AS churned,
         SUM(expanding) AS expanding, SUM(promoters) AS promoters, SUM(detractors) AS detractors,
         SUM(responses) AS responses, SUM(at_risk) AS at_risk, SUM(saved) AS saved FROM g
  UNION ALL
  SELECT segment, 1, s, net, gross, n, churned, expanding, promoters, detractors, responses, at_risk, saved FROM g
)
SELECT grp,
  printf('%.6f', 100.0 * net / s), printf('%.6f', 100.0 * gross / s),
  printf('%.6f', 100.0 * churned / n), printf('%.6f', 100.0 * expanding / n),
  printf('%.6f', 100.0 * (promoters - detractors) / responses), printf('%.6f', 100.0 * saved / at_risk)
FROM t
ORDER BY o, grp;
