-- Trace codes at scale: an issue order, indexes that serve every listing and activation without a sort,
-- and a guard that keeps codes from being deleted, renamed or brought back from void. Forward-only.

-- Issue order across the node: pools are activated and files printed in this order.
ALTER TABLE codes ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;

-- A batch's codes in print order (batch code first, then items); also the index of the batch_id foreign key.
DROP INDEX codes_batch_idx;
CREATE INDEX codes_batch_idx ON codes (batch_id, kind, seq);

-- A pool's codes in print order with their status (counts are index-only); also the pool_id foreign key.
DROP INDEX codes_pool_idx;
CREATE INDEX codes_pool_idx ON codes (pool_id, seq) INCLUDE (status);
-- "The next N unassigned codes of the pool" without walking past the activated ones.
CREATE INDEX codes_pool_unassigned_idx ON codes (pool_id, seq) WHERE status = 'unassigned';

-- A code is never deleted and never changes its text; void is final; an assigned code keeps its batch.
CREATE FUNCTION codes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'trace code % cannot be deleted: void it instead', OLD.code USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.code <> OLD.code OR OLD.status = 'void' OR (OLD.status = 'active' AND NEW.status = 'unassigned')
     OR (OLD.batch_id IS NOT NULL AND NEW.batch_id IS DISTINCT FROM OLD.batch_id) THEN
    RAISE EXCEPTION 'trace code % cannot change from % to %', OLD.code, OLD.status, NEW.status USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER codes_guard BEFORE UPDATE OR DELETE ON codes FOR EACH ROW EXECUTE FUNCTION codes_guard();
