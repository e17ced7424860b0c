-- The application's load for pgbench (-D rows=N): read one ticket, touch another, by primary key.
\set read_id random(1, :rows)
\set write_id random(1, :rows)
BEGIN;
SELECT id, status, updated_at FROM tickets WHERE id = :read_id;
UPDATE tickets SET updated_at = now() WHERE id = :write_id;
END;
