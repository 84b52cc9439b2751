-- The sandbox schema: what the sandbox process tells SQL. The API roles have no access to it. Idempotent; it runs
-- before schema.sql on a new database and before domain.sql, because trigger functions of both read it.

create schema if not exists sandbox;
revoke all on schema sandbox from public;

-- Database-level faults that are on (applyDbFaults() in db-faults.ts keeps it equal to the running faults).
create table if not exists sandbox.faults (name text primary key);

create or replace function sandbox.fault_on(fault text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select exists (select 1 from sandbox.faults where name = fault) $$;

-- What the fault index_missing dropped, so that switching it off (or the next start, after a crash) recreates
-- exactly those indexes (index-faults.ts).
create table if not exists sandbox.dropped_indexes (
  name text primary key,
  table_name text not null,
  definition text not null
);
