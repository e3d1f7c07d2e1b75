// DuckDB peer for MRR snapshots (npm @duckdb/node-api): snapshots_duckdb.sql over read_csv,
// every core. Usage: node duckdb_snapshots.mjs FILE (one CSV line per month and group)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const sql = readFileSync(new URL('./snapshots_duckdb.sql', import.meta.url), 'utf8').replace("'FILE'", `'${file.replaceAll("'", "''")}'`);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRows()) console.log(row.map(String).join(','));
