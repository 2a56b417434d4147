-- Native records a client may retry (a phone on a bad connection): the first answer to a requestId is kept
-- and returned to every retry, so a record that creates batches and codes is stored once. Forward-only.

CREATE TABLE record_requests (
  -- Whose requestIds these are: the operator's id, else the regulator's or admin's user id.
  scope       text NOT NULL,
  request_id  text NOT NULL,
  kind        text NOT NULL,
  -- SHA-256 of the request as sent (without requestId): a reused requestId with another body is refused.
  fingerprint text NOT NULL,
  operator_id uuid REFERENCES operators(id),
  -- Filled in the transaction that claims the row, so a committed row always has its answer.
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, request_id)
);
CREATE INDEX record_requests_operator_idx ON record_requests (operator_id);
