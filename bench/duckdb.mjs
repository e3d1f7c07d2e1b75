// DuckDB peer (npm @duckdb/node-api): one query over read_csv with every core.
// Usage: node duckdb.mjs QUERY.sql FILE   (QUERY.sql beside this script; 'FILE' in it is the
// CSV's path; prints one CSV line per result row, like the other peers)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [query, file] = process.argv.slice(2);
const sql = readFileSync(new URL(`./${query}`, import.meta.url), 'utf8').replace("'FILE'", `'${file.replaceAll("'", "''")}'`);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRows()) console.log(row.map(String).join(','));
