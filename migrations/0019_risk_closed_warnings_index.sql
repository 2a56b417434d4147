-- A finding is not raised again when a closed warning of the same rule and subject already covers it (src/risk,
-- upsertWarnings): that check looks up closed warnings by rule and subject, which the partial unique index of the
-- open ones does not serve. Closed warnings only accumulate, so without this every finding would read all of them.
CREATE INDEX IF NOT EXISTS risk_warnings_closed_subject_idx ON risk_warnings (rule, subject) WHERE status = 'closed';
