// Runs SQL files through DuckDB (npm @duckdb/node-api) for tests/sql_engines.sh.
// Usage: node duckdb_run.mjs SETUP.sql QUERY.sql OUT.csv [QUERY.sql OUT.csv ...]
// SETUP.sql creates the tables (and views); each QUERY.sql is cskpi sql's output; its records
// are written to its OUT.csv by DuckDB's own CSV writer (header, quoted where needed, NULL as
// empty), or DuckDB's error to OUT.csv.err. One process for all: starting Node.js and DuckDB
// costs seconds. Exits 1 when a query failed.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';

const [setup, ...pairs] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(readFileSync(setup, 'utf8'));
let failed = false;
for (let i = 0; i + 1 < pairs.length; i += 2) {
  const [query, out] = [pairs[i], pairs[i + 1]];
  const sql = readFileSync(query, 'utf8').trim().replace(/;$/, '');
  try {
    await con.run(`COPY (${sql}) TO '${out.replaceAll("'", "''")}' (FORMAT csv, HEADER)`);
  } catch (e) {
    writeFileSync(`${out}.err`, `${e.message}\n`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
