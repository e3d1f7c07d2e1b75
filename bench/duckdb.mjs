// DuckDB peer (npm @duckdb/node-api): one query over read_csv (kpis_duckdb.sql), every core.
// Usage: node duckdb.mjs FILE   (prints one CSV line per group, like the other peers)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const sql = readFileSync(new URL('./kpis_duckdb.sql', import.meta.url), 'utf8').replace("'FILE'", `'${file.replaceAll("'", "''")}'`);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRows()) console.log(row.map(String).join(','));
