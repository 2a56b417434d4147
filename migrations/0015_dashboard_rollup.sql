-- The dashboard's rollup of events: how many events happened per China-time day (by event_time) and division,
-- folded from the append-only events table in seq order by a background job (src/dashboard/rollup.ts). The
-- dashboard sums the rollup up to the watermark and counts the few events beyond it live, so its figures stay exact.

CREATE TABLE event_day_counts (
  day           date NOT NULL,   -- (event_time AT TIME ZONE 'Asia/Shanghai')::date
  division_code text NOT NULL,   -- the event's division; '' for events the registry does not place
  n             bigint NOT NULL CHECK (n >= 0),
  PRIMARY KEY (day, division_code)
);
-- A province or city reads its own divisions' days (the primary key serves the national view).
CREATE INDEX event_day_counts_division_idx ON event_day_counts (division_code text_pattern_ops, day);

-- The watermark: every event with seq <= events_seq is counted in event_day_counts, and no other. The pending pair
-- is the next candidate: events_pending_seq becomes safe to fold once none of the transactions in events_pending_wait
-- (pg_locks virtual transaction ids of the writers of events when it was read) is still open. See docs/console.md.
CREATE TABLE dashboard_rollup (
  id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
  events_seq          bigint NOT NULL DEFAULT 0,
  events_pending_seq  bigint,
  events_pending_wait text[],
  folded_at           timestamptz
);
INSERT INTO dashboard_rollup (id) VALUES (true);
