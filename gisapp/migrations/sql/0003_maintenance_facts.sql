-- Maintenance facts: one row per facility (facility_facts), per facility and month
-- (facility_months), and per area, type and month (maintenance_area_months: the facility
-- months summed over each area at every level), refreshed by triggers whenever a facility, its
-- log or a report linked to it changes. Coverage by area then reads narrow tables grouped by a
-- stored area link.
--
-- Triggers rather than service code, like the area links: every writer (the app, COPY-based
-- bulk loads, a DBA with psql) keeps the facts right. Statement-level triggers with transition
-- tables refresh each touched facility once per statement, so a COPY of a million log entries
-- costs one set-based refresh, not a million.

-- Add (direction 1) or take away (direction -1) the given facilities' months from the sums of their
-- areas, at every level, for their type and for all types (""). Deltas, not recomputation: a
-- district's sums move by one facility's share, whatever the district's size. Rows are written
-- in key order so concurrent writers queue instead of deadlocking.
CREATE OR REPLACE FUNCTION gisapp_area_months_apply(ids integer[], direction integer)
RETURNS void
LANGUAGE sql AS $$
  INSERT INTO maintenance_area_months AS am (
    level, type, month, area_id, records, volunteer_records, minutes, volunteer_minutes,
    faults_closed, fault_close_days)
  SELECT l.level, t.type, fm.month, l.area_id,
         direction * sum(fm.records), direction * sum(fm.volunteer_records), direction * sum(fm.minutes),
         direction * sum(fm.volunteer_minutes), direction * sum(fm.faults_closed),
         direction * sum(fm.fault_close_days)
    FROM facility_months fm
    JOIN facility_facts ff ON ff.facility_id = fm.facility_id
   CROSS JOIN LATERAL (VALUES ('district', ff.district_id), ('street', ff.street_id),
                              ('community', ff.community_id), ('grid', ff.grid_id),
                              ('building', ff.building_id)) AS l(level, area_id)
   CROSS JOIN LATERAL (VALUES (''), (ff.type)) AS t(type)
   WHERE fm.facility_id IN (SELECT unnest(ids)) AND l.area_id IS NOT NULL
   GROUP BY l.level, t.type, fm.month, l.area_id
   ORDER BY l.level, t.type, fm.month, l.area_id
  ON CONFLICT (level, type, month, area_id) DO UPDATE SET
    records = am.records + EXCLUDED.records,
    volunteer_records = am.volunteer_records + EXCLUDED.volunteer_records,
    minutes = am.minutes + EXCLUDED.minutes,
    volunteer_minutes = am.volunteer_minutes + EXCLUDED.volunteer_minutes,
    faults_closed = am.faults_closed + EXCLUDED.faults_closed,
    fault_close_days = am.fault_close_days + EXCLUDED.fault_close_days;
$$;

-- Recompute the facts of the given facilities from their log and linked reports.
CREATE OR REPLACE FUNCTION gisapp_refresh_facility_facts(ids integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- Two writers of one facility must not both compute from a snapshot that lacks the other's
  -- row. The second waits here for the first to commit; each statement below then takes a new
  -- snapshot (READ COMMITTED) that sees both. Large refreshes take one lock for everything
  -- rather than thousands (the lock table is small).
  IF cardinality(ids) > 500 THEN
    PERFORM pg_advisory_xact_lock(5800031);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(5800031);
    PERFORM pg_advisory_xact_lock(5800032, i.id) FROM unnest(ids) AS i(id) ORDER BY i.id;
  END IF;

  -- Their current share leaves their areas' sums (their old areas, if they moved) ...
  PERFORM gisapp_area_months_apply(ids, -1);

  INSERT INTO facility_facts AS ff (
    facility_id, type, active, district_id, street_id, community_id, grid_id, building_id,
    interval_days, start_on, removed_on, last_visit_on, last_result, open_reports)
  SELECT f.id, f.type, f.status = 'active',
         f.district_id, f.street_id, f.community_id, f.grid_id, f.building_id,
         coalesce(f.maintenance_interval_days, t.interval_days),
         coalesce(f.install_date, f.created_at::date),
         f.removed_on, l.performed_on, l.result,
         -- open = the report statuses a grid worker still has to act on (OPEN_STATUSES)
         (SELECT count(*) FROM reports p
           WHERE p.facility_id = f.id AND p.status IN ('submitted', 'accepted', 'in_progress'))
    FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id)) AS i
    JOIN facilities f ON f.id = i.id
    JOIN facility_types t ON t.code = f.type
    LEFT JOIN LATERAL (
      SELECT m.performed_on, m.result FROM maintenance_records m
       WHERE m.facility_id = f.id
       ORDER BY m.performed_on DESC, m.id DESC
       LIMIT 1) AS l ON true
  ON CONFLICT (facility_id) DO UPDATE SET
    type = EXCLUDED.type, active = EXCLUDED.active,
    district_id = EXCLUDED.district_id, street_id = EXCLUDED.street_id,
    community_id = EXCLUDED.community_id, grid_id = EXCLUDED.grid_id,
    building_id = EXCLUDED.building_id, interval_days = EXCLUDED.interval_days,
    start_on = EXCLUDED.start_on, removed_on = EXCLUDED.removed_on,
    last_visit_on = EXCLUDED.last_visit_on, last_result = EXCLUDED.last_result,
    open_reports = EXCLUDED.open_reports;

  DELETE FROM facility_months WHERE facility_id IN (SELECT unnest(ids));

  INSERT INTO facility_months (facility_id, month, records, volunteer_records, minutes,
                               volunteer_minutes, last_visit_on, faults_closed, fault_close_days)
  WITH log AS (
    SELECT m.id, m.facility_id, m.performed_on, m.result, m.volunteer, coalesce(m.minutes, 0) AS minutes,
           lag(m.result) OVER (PARTITION BY m.facility_id ORDER BY m.performed_on, m.id) AS prev_result
      FROM maintenance_records m
     WHERE m.facility_id IN (SELECT unnest(ids))
       AND EXISTS (SELECT 1 FROM facilities f WHERE f.id = m.facility_id)
  ),
  -- A fault found in the log opens an episode; the next entry that is not a fault closes it.
  marks AS (
    SELECT id, facility_id, performed_on, result = 'fault' AS opens
      FROM log
     WHERE (result = 'fault' AND coalesce(prev_result, '') <> 'fault')
        OR (result <> 'fault' AND prev_result = 'fault')
  ),
  episodes AS (
    SELECT facility_id, opens, performed_on AS opened_on,
           lead(performed_on) OVER (PARTITION BY facility_id ORDER BY performed_on, id) AS closed_on
      FROM marks
  ),
  parts AS (
    SELECT facility_id, date_trunc('month', performed_on)::date AS month,
           1 AS records, volunteer::int AS volunteer_records, minutes,
           CASE WHEN volunteer THEN minutes ELSE 0 END AS volunteer_minutes,
           performed_on AS last_visit_on, 0 AS faults_closed, 0::double precision AS close_days
      FROM log
    UNION ALL
    SELECT facility_id, date_trunc('month', closed_on)::date, 0, 0, 0, 0, NULL, 1,
           (closed_on - opened_on)::double precision
      FROM episodes
     WHERE opens AND closed_on IS NOT NULL
    UNION ALL
    -- A resident's fault report closes when it is resolved.
    SELECT p.facility_id, date_trunc('month', p.resolved_at)::date, 0, 0, 0, 0, NULL, 1,
           greatest(0, extract(epoch FROM p.resolved_at - p.created_at) / 86400.0)
      FROM reports p
     WHERE p.facility_id IN (SELECT unnest(ids))
       AND p.status IN ('resolved', 'closed') AND p.resolved_at IS NOT NULL
  )
  SELECT facility_id, month, sum(records), sum(volunteer_records), sum(minutes),
         sum(volunteer_minutes), max(last_visit_on), sum(faults_closed), sum(close_days)
    FROM parts
   GROUP BY facility_id, month;

  -- ... and the recomputed share joins their current areas.
  PERFORM gisapp_area_months_apply(ids, 1);
END $$;

-- The log: one refresh per statement for the facilities it touched.
CREATE OR REPLACE FUNCTION gisapp_facts_after_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM gisapp_refresh_facility_facts(ARRAY(SELECT DISTINCT facility_id FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM gisapp_refresh_facility_facts(ARRAY(
      SELECT facility_id FROM new_rows UNION SELECT facility_id FROM old_rows));
  ELSE
    PERFORM gisapp_refresh_facility_facts(ARRAY(SELECT DISTINCT facility_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER maintenance_records_facts_ins AFTER INSERT ON maintenance_records
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_records();
CREATE TRIGGER maintenance_records_facts_upd AFTER UPDATE ON maintenance_records
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_records();
CREATE TRIGGER maintenance_records_facts_del AFTER DELETE ON maintenance_records
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_records();

-- Reports linked to a facility: filing, status changes, resolution and relinking.
CREATE OR REPLACE FUNCTION gisapp_facts_after_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM gisapp_refresh_facility_facts(ARRAY(
      SELECT DISTINCT facility_id FROM new_rows WHERE facility_id IS NOT NULL));
  ELSIF TG_OP = 'UPDATE' THEN
    -- Support counts and timestamps change reports often; only what the facts read matters.
    PERFORM gisapp_refresh_facility_facts(ARRAY(
      SELECT x.facility_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id,
             LATERAL (VALUES (n.facility_id), (o.facility_id)) AS x(facility_id)
       WHERE x.facility_id IS NOT NULL
         AND (n.facility_id IS DISTINCT FROM o.facility_id OR n.status <> o.status
              OR n.resolved_at IS DISTINCT FROM o.resolved_at
              OR n.created_at <> o.created_at)
       GROUP BY x.facility_id));
  ELSE
    PERFORM gisapp_refresh_facility_facts(ARRAY(
      SELECT DISTINCT facility_id FROM old_rows WHERE facility_id IS NOT NULL));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_facts_ins AFTER INSERT ON reports
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_reports();
CREATE TRIGGER reports_facts_upd AFTER UPDATE ON reports
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_reports();
CREATE TRIGGER reports_facts_del AFTER DELETE ON reports
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_reports();

-- Facilities: new ones, and any change (type, interval, status, install date, area links after
-- a move or a boundary edit).
CREATE OR REPLACE FUNCTION gisapp_facts_after_facilities() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gisapp_refresh_facility_facts(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER facilities_facts_ins AFTER INSERT ON facilities
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_facilities();
CREATE TRIGGER facilities_facts_upd AFTER UPDATE ON facilities
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_facilities();

-- A deleted facility's facts go with it (foreign keys); first its share leaves its areas.
CREATE OR REPLACE FUNCTION gisapp_facts_before_facility_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gisapp_area_months_apply(ARRAY[OLD.id], -1);
  RETURN OLD;
END $$;

CREATE TRIGGER facilities_facts_del BEFORE DELETE ON facilities
  FOR EACH ROW EXECUTE FUNCTION gisapp_facts_before_facility_delete();

-- A type's default interval changed in configuration (gisapp db upgrade syncs it).
CREATE OR REPLACE FUNCTION gisapp_facts_after_facility_types() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gisapp_refresh_facility_facts(ARRAY(
    SELECT f.id
      FROM new_rows n JOIN old_rows o ON o.code = n.code
      JOIN facilities f ON f.type = n.code
     WHERE n.interval_days <> o.interval_days AND f.maintenance_interval_days IS NULL));
  RETURN NULL;
END $$;

CREATE TRIGGER facility_types_facts_upd AFTER UPDATE ON facility_types
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_facts_after_facility_types();

-- Facilities that exist already.
SELECT gisapp_refresh_facility_facts(ARRAY(SELECT id FROM facilities));
