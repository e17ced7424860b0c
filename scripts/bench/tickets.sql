-- A tickets table like the application's (examples/crm), filled with :rows rows.
-- Loaded without the primary key, which is built afterwards: faster than index maintenance per row.
SET client_min_messages = warning;
DROP TABLE IF EXISTS alembic_version;
DROP TABLE IF EXISTS tickets;
CREATE TABLE tickets (
    id          bigint      NOT NULL,
    customer_id bigint      NOT NULL,
    subject     text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tickets (id, customer_id, subject, status, created_at, updated_at)
SELECT g,
       1 + g % 50000,
       'ticket #' || g,
       (ARRAY['open', 'pending', 'solved', 'closed'])[1 + g % 4],
       now() - make_interval(mins => g),
       now() - make_interval(mins => g / 2)
FROM generate_series(1, :rows) AS g;
ALTER TABLE tickets ADD PRIMARY KEY (id);
VACUUM ANALYZE tickets;
