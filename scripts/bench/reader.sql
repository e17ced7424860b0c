-- A long reader (psql -v hold=SECONDS), like a report or a slow request. It takes ACCESS SHARE on
-- tickets, waits until a request for ACCESS EXCLUSIVE on tickets (the migration's ALTER) queues
-- behind it (at most 20 s), then keeps the lock `hold` seconds more. So every scenario faces the
-- same hold once its DDL is waiting, however long the migration tool takes to start (a JVM, Alembic).
-- DDL queues behind the reader and the application queues behind the DDL.
-- Prints the server's clock (epoch ms) at each step.
BEGIN;
SELECT count(*) FROM tickets WHERE id < 10;
SELECT 'reader_acquired_ms=' || (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
DO $$
BEGIN
  FOR i IN 1 .. 2000 LOOP
    IF EXISTS (SELECT FROM pg_locks
               WHERE relation = 'tickets'::regclass AND mode = 'AccessExclusiveLock' AND NOT granted) THEN
      PERFORM set_config('bench.ddl_queued_ms', ((extract(epoch FROM clock_timestamp()) * 1000)::bigint)::text, false);
      RETURN;
    END IF;
    PERFORM pg_sleep(0.01);
  END LOOP;
END
$$;
SELECT 'ddl_queued_ms=' || current_setting('bench.ddl_queued_ms', true);
SELECT pg_sleep(:hold);
SELECT 'reader_release_ms=' || (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
COMMIT;
