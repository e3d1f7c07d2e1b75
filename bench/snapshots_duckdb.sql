-- Monthly NRR and GRR from a long MRR-snapshots file (customer_id, segment, month, mrr), as a
-- DuckDB user would write it: one read_csv with typed columns, each month's rows joined to the
-- next month's (a missing row is MRR 0), and GROUPING SETS for the whole base and each segment.
-- The cohort of a month is the customers with MRR at the end of the month before; GRR caps each
-- at that MRR. `FILE` is replaced by the CSV's path. One row per month and group, 'all' first.
WITH s AS (
  SELECT customer_id, segment, CAST(strptime(month, '%Y-%m') AS DATE) AS m, mrr
  FROM read_csv('FILE', header = true,
                columns = {'customer_id': 'VARCHAR', 'segment': 'VARCHAR', 'month': 'VARCHAR', 'mrr': 'DECIMAL(18,2)'})
), pairs AS (
  SELECT p.segment, CAST(p.m + INTERVAL 1 MONTH AS DATE) AS m, p.mrr AS prev, coalesce(c.mrr, 0) AS cur
  FROM s AS p LEFT JOIN s AS c ON c.customer_id = p.customer_id AND c.m = CAST(p.m + INTERVAL 1 MONTH AS DATE)
  WHERE p.mrr > 0 AND p.m < (SELECT max(m) FROM s)
)
SELECT strftime(m, '%Y-%m') AS period, CASE WHEN grouping(segment) = 1 THEN 'all' ELSE segment END AS grp,
  printf('%.6f', 100 * sum(cur) / sum(prev)) AS nrr,
  printf('%.6f', 100 * sum(least(cur, prev)) / sum(prev)) AS grr
FROM pairs
GROUP BY GROUPING SETS ((m), (m, segment))
ORDER BY m, grouping(segment) = 0, grp;
