// Runs SQL files through DuckDB (npm @duckdb/node-api) for tests/sql_engines.sh.
// Usage: node duckdb_run.mjs SETUP.sql QUERY.sql OUT.csv
// SETUP.sql creates the table; QUERY.sql is cskpi sql's output; its records are written to
// OUT.csv by DuckDB's own CSV writer (header, quoted where needed, NULL as empty).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [setup, query, out] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(readFileSync(setup, 'utf8'));
const sql = readFileSync(query, 'utf8').trim().replace(/;$/, '');
await con.run(`COPY (${sql}) TO '${out.replaceAll("'", "''")}' (FORMAT csv, HEADER)`);
