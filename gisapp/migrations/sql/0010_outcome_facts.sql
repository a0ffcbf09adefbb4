-- Outcome facts (成果共享): per community and grid and local calendar month, the residents'
-- reports received and resolved, the days they took, and the residents' ratings of the fixes,
-- kept by triggers so that /outcomes reads one narrow row per area and month instead of
-- scanning a million reports.
--
--   outcome_area_months   received, resolved, resolve_days (sum), ratings, rating_sum, and
--                         d0 … d366: how many of the reports resolved that month took 0, 1, …
--                         7, 8-10, 11-14, 15-21, 22-30, 31-45, 46-60, 61-90, 91-180, 181-365,
--                         366 or more whole days (a histogram in columns, so the median over any
--                         areas and months is read from the same sums as the other figures)
--
-- Only communities and grids have rows: a street's or a district's figures are its communities'
-- summed when read (1,000 communities x 12 months is one index range). Keeping district rows
-- would make every report filed in a district wait for the one before it to commit (they all
-- update the same row); a community's row is shared by far fewer concurrent writers.
--
-- Deltas, like the maintenance facts: a change takes its old row's share away (-1) and adds the
-- new row's (+1), so a district's sums move by one report's share whatever the district's size.
-- Statement-level triggers with transition tables: a COPY of a million reports is one
-- set-based update. Rows are written in key order so concurrent writers queue, not deadlock.
--
-- Months are local months in the programme's time zone (Asia/Shanghai, the default of
-- GISAPP_TIMEZONE); a report filed at 07:00 on the 1st in Wuhan counts in that month.

-- The statements that add the share of some report rows to the sums: ``src`` is a query
-- yielding d (1 or -1 per row), created_at, status, resolved_at and the four area links.
-- The trigger functions EXECUTE the text themselves: transition tables are visible only to
-- queries the trigger function runs, not to functions it calls.
CREATE OR REPLACE FUNCTION gisapp_outcome_months_sql(src text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    WITH src AS (%s),
    parts AS (
      SELECT d, (date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
             district_id, street_id, community_id, grid_id,
             1 AS received, 0 AS resolved, 0::double precision AS days, NULL::int AS b
        FROM src
      UNION ALL
      SELECT d, (date_trunc('month', resolved_at AT TIME ZONE 'Asia/Shanghai'))::date,
             district_id, street_id, community_id, grid_id, 0, 1, x.days,
             -- the histogram bucket of the whole days taken (0 = same day … 17 = a year or more)
             width_bucket(floor(x.days), ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 22, 31, 46, 61, 91, 181, 366]::double precision[])
        FROM src
       CROSS JOIN LATERAL (SELECT greatest(0, extract(epoch FROM resolved_at - created_at)
                                              / 86400.0)::double precision AS days) AS x
       WHERE status IN ('resolved', 'closed') AND resolved_at IS NOT NULL
    )
    INSERT INTO outcome_area_months AS am (level, month, area_id, received, resolved, resolve_days,
                                           d0, d1, d2, d3, d4, d5, d6, d7, d8, d11, d15, d22, d31, d46, d61, d91, d181, d366)
    SELECT l.level, p.month, l.area_id,
           sum(p.d * p.received), sum(p.d * p.resolved), sum(p.d * p.days),
           coalesce(sum(p.d) FILTER (WHERE p.b = 0), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 1), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 2), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 3), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 4), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 5), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 6), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 7), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 8), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 9), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 10), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 11), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 12), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 13), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 14), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 15), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 16), 0),
           coalesce(sum(p.d) FILTER (WHERE p.b = 17), 0)
      FROM parts p
     CROSS JOIN LATERAL (VALUES ('community', p.community_id), ('grid', p.grid_id))
           AS l(level, area_id)
     WHERE l.area_id IS NOT NULL
     GROUP BY l.level, p.month, l.area_id
     ORDER BY l.level, p.month, l.area_id
    ON CONFLICT (level, month, area_id) DO UPDATE SET
      received = am.received + EXCLUDED.received,
      resolved = am.resolved + EXCLUDED.resolved,
      resolve_days = am.resolve_days + EXCLUDED.resolve_days,
      d0 = am.d0 + EXCLUDED.d0,
      d1 = am.d1 + EXCLUDED.d1,
      d2 = am.d2 + EXCLUDED.d2,
      d3 = am.d3 + EXCLUDED.d3,
      d4 = am.d4 + EXCLUDED.d4,
      d5 = am.d5 + EXCLUDED.d5,
      d6 = am.d6 + EXCLUDED.d6,
      d7 = am.d7 + EXCLUDED.d7,
      d8 = am.d8 + EXCLUDED.d8,
      d11 = am.d11 + EXCLUDED.d11,
      d15 = am.d15 + EXCLUDED.d15,
      d22 = am.d22 + EXCLUDED.d22,
      d31 = am.d31 + EXCLUDED.d31,
      d46 = am.d46 + EXCLUDED.d46,
      d61 = am.d61 + EXCLUDED.d61,
      d91 = am.d91 + EXCLUDED.d91,
      d181 = am.d181 + EXCLUDED.d181,
      d366 = am.d366 + EXCLUDED.d366
  $q$, src);
$$;

-- The share of some ratings (``src`` yields d, created_at, score and the report's four area
-- links): counted in the month the rating was given, in the report's areas.
CREATE OR REPLACE FUNCTION gisapp_outcome_ratings_sql(src text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    WITH src AS (%s)
    INSERT INTO outcome_area_months AS am (level, month, area_id, ratings, rating_sum)
    SELECT l.level, (date_trunc('month', s.created_at AT TIME ZONE 'Asia/Shanghai'))::date,
           l.area_id, sum(s.d), sum(s.d * s.score)
      FROM src s
     CROSS JOIN LATERAL (VALUES ('community', s.community_id), ('grid', s.grid_id))
           AS l(level, area_id)
     WHERE l.area_id IS NOT NULL
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (level, month, area_id) DO UPDATE SET
      ratings = am.ratings + EXCLUDED.ratings,
      rating_sum = am.rating_sum + EXCLUDED.rating_sum
  $q$, src);
$$;

CREATE OR REPLACE FUNCTION gisapp_outcomes_after_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cols CONSTANT text := 'created_at, status, resolved_at, district_id, street_id, community_id, grid_id';
  changed CONSTANT text := '(n.status <> o.status OR n.created_at <> o.created_at
      OR n.resolved_at IS DISTINCT FROM o.resolved_at OR n.district_id IS DISTINCT FROM o.district_id
      OR n.street_id IS DISTINCT FROM o.street_id OR n.community_id IS DISTINCT FROM o.community_id
      OR n.grid_id IS DISTINCT FROM o.grid_id)';
  src text;
  moved CONSTANT text := '(n.district_id IS DISTINCT FROM o.district_id
      OR n.street_id IS DISTINCT FROM o.street_id OR n.community_id IS DISTINCT FROM o.community_id
      OR n.grid_id IS DISTINCT FROM o.grid_id)';
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT 1 AS d, ' || cols || ' FROM new_rows';
    EXECUTE gisapp_outcome_months_sql(src);
  ELSIF TG_OP = 'DELETE' THEN
    src := 'SELECT -1 AS d, ' || cols || ' FROM old_rows';
    EXECUTE gisapp_outcome_months_sql(src);
  ELSE
    -- Support counts and timestamps change reports often; only what the facts read matters.
    src :=
      'SELECT -1 AS d, o.created_at, o.status, o.resolved_at, o.district_id, o.street_id,
              o.community_id, o.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE ' || changed || '
       UNION ALL
       SELECT 1, n.created_at, n.status, n.resolved_at, n.district_id, n.street_id,
              n.community_id, n.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE ' || changed;
    EXECUTE gisapp_outcome_months_sql(src);
    -- A report that moved (or whose boundary moved) takes its ratings along.
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT -1 AS d, r.created_at, r.score, o.district_id, o.street_id, o.community_id,
              o.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
         JOIN report_ratings r ON r.report_id = n.id WHERE ' || moved || '
       UNION ALL
       SELECT 1, r.created_at, r.score, n.district_id, n.street_id, n.community_id, n.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
         JOIN report_ratings r ON r.report_id = n.id WHERE ' || moved);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_outcomes_ins AFTER INSERT ON reports
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_reports();
CREATE TRIGGER reports_outcomes_upd AFTER UPDATE ON reports
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_reports();
CREATE TRIGGER reports_outcomes_del AFTER DELETE ON reports
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_reports();

-- A deleted report's ratings go by cascade after the report row is gone, when their areas can
-- no longer be looked up: their share leaves first, while both still exist (deletes are rare).
CREATE OR REPLACE FUNCTION gisapp_outcomes_before_report_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE gisapp_outcome_ratings_sql(format(
    'SELECT -1 AS d, r.created_at, r.score, %s::int AS district_id, %s::int AS street_id,
            %s::int AS community_id, %s::int AS grid_id
       FROM report_ratings r WHERE r.report_id = %s',
    coalesce(OLD.district_id::text, 'NULL'), coalesce(OLD.street_id::text, 'NULL'),
    coalesce(OLD.community_id::text, 'NULL'), coalesce(OLD.grid_id::text, 'NULL'), OLD.id));
  RETURN OLD;
END $$;

CREATE TRIGGER reports_outcomes_del_ratings BEFORE DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION gisapp_outcomes_before_report_delete();

-- TRUNCATE fires no row triggers: emptying the reports empties their facts.
CREATE OR REPLACE FUNCTION gisapp_outcomes_after_reports_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE outcome_area_months;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_outcomes_truncate AFTER TRUNCATE ON reports
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_reports_truncate();

-- Ratings: given, changed (a resident rates again) or withdrawn.
CREATE OR REPLACE FUNCTION gisapp_outcomes_after_ratings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  links CONSTANT text := 'p.district_id, p.street_id, p.community_id, p.grid_id';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT -1 AS d, r.created_at, r.score, ' || links ||
      ' FROM old_rows r JOIN reports p ON p.id = r.report_id');
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT 1 AS d, r.created_at, r.score, ' || links ||
      ' FROM new_rows r JOIN reports p ON p.id = r.report_id');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER report_ratings_outcomes_ins AFTER INSERT ON report_ratings
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_ratings();
CREATE TRIGGER report_ratings_outcomes_upd AFTER UPDATE ON report_ratings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_ratings();
CREATE TRIGGER report_ratings_outcomes_del AFTER DELETE ON report_ratings
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisapp_outcomes_after_ratings();

-- Everything from scratch (the migration runs it for reports that exist already; a DBA can
-- run it after a bulk load with the triggers off).
CREATE OR REPLACE FUNCTION gisapp_outcomes_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  DELETE FROM outcome_area_months;
  src := 'SELECT 1 AS d, created_at, status, resolved_at, district_id, street_id,
                  community_id, grid_id FROM reports';
  EXECUTE gisapp_outcome_months_sql(src);
  EXECUTE gisapp_outcome_ratings_sql(
    'SELECT 1 AS d, r.created_at, r.score, p.district_id, p.street_id, p.community_id,
            p.grid_id FROM report_ratings r JOIN reports p ON p.id = r.report_id');
END $$;

SELECT gisapp_outcomes_rebuild();
