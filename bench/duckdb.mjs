// DuckDB peer (npm @duckdb/node-api): read_csv into an in-memory database, run kpis.sql.
// Usage: node duckdb.mjs FILE   (prints one CSV line per group, like the other peers)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const sql = readFileSync(new URL('./kpis.sql', import.meta.url), 'utf8');
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
await con.run(`CREATE TABLE movements AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = true,
  types = {'nps': 'VARCHAR', 'at_risk': 'VARCHAR', 'saved': 'VARCHAR',
           'start_mrr': 'DECIMAL(18,2)', 'expansion_mrr': 'DECIMAL(18,2)',
           'contraction_mrr': 'DECIMAL(18,2)', 'churned_mrr': 'DECIMAL(18,2)'})`);
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRows()) console.log(row.map(String).join(','));
