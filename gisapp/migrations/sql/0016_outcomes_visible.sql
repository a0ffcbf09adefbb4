-- Outcome facts count what the public sees: reports in moderation (held) or hidden by a
-- moderator, and their ratings, stay out of /outcomes, as they stay off the map. A report
-- that is hidden or shown again moves its share out of or into the sums like any other change.

CREATE OR REPLACE FUNCTION gisapp_outcomes_after_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cols CONSTANT text := 'created_at, status, resolved_at, district_id, street_id, community_id, grid_id';
  changed CONSTANT text := '(n.status <> o.status OR n.created_at <> o.created_at
      OR n.moderation <> o.moderation
      OR n.resolved_at IS DISTINCT FROM o.resolved_at OR n.district_id IS DISTINCT FROM o.district_id
      OR n.street_id IS DISTINCT FROM o.street_id OR n.community_id IS DISTINCT FROM o.community_id
      OR n.grid_id IS DISTINCT FROM o.grid_id)';
  moved CONSTANT text := '(n.moderation <> o.moderation
      OR n.district_id IS DISTINCT FROM o.district_id
      OR n.street_id IS DISTINCT FROM o.street_id OR n.community_id IS DISTINCT FROM o.community_id
      OR n.grid_id IS DISTINCT FROM o.grid_id)';
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT 1 AS d, ' || cols || ' FROM new_rows WHERE moderation = ''visible''';
    EXECUTE gisapp_outcome_months_sql(src);
  ELSIF TG_OP = 'DELETE' THEN
    src := 'SELECT -1 AS d, ' || cols || ' FROM old_rows WHERE moderation = ''visible''';
    EXECUTE gisapp_outcome_months_sql(src);
  ELSE
    -- Support counts and timestamps change reports often; only what the facts read matters.
    src :=
      'SELECT -1 AS d, o.created_at, o.status, o.resolved_at, o.district_id, o.street_id,
              o.community_id, o.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.moderation = ''visible'' AND ' || changed || '
       UNION ALL
       SELECT 1, n.created_at, n.status, n.resolved_at, n.district_id, n.street_id,
              n.community_id, n.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.moderation = ''visible'' AND ' || changed;
    EXECUTE gisapp_outcome_months_sql(src);
    -- A report that moved (or whose boundary moved), or was hidden or shown, takes its
    -- ratings along.
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT -1 AS d, r.created_at, r.score, o.district_id, o.street_id, o.community_id,
              o.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
         JOIN report_ratings r ON r.report_id = n.id
        WHERE o.moderation = ''visible'' AND ' || moved || '
       UNION ALL
       SELECT 1, r.created_at, r.score, n.district_id, n.street_id, n.community_id, n.grid_id
         FROM new_rows n JOIN old_rows o ON o.id = n.id
         JOIN report_ratings r ON r.report_id = n.id
        WHERE n.moderation = ''visible'' AND ' || moved);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gisapp_outcomes_before_report_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.moderation <> 'visible' THEN
    RETURN OLD;
  END IF;
  EXECUTE gisapp_outcome_ratings_sql(format(
    'SELECT -1 AS d, r.created_at, r.score, %s::int AS district_id, %s::int AS street_id,
            %s::int AS community_id, %s::int AS grid_id
       FROM report_ratings r WHERE r.report_id = %s',
    coalesce(OLD.district_id::text, 'NULL'), coalesce(OLD.street_id::text, 'NULL'),
    coalesce(OLD.community_id::text, 'NULL'), coalesce(OLD.grid_id::text, 'NULL'), OLD.id));
  RETURN OLD;
END $$;

CREATE OR REPLACE FUNCTION gisapp_outcomes_after_ratings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  links CONSTANT text := 'p.district_id, p.street_id, p.community_id, p.grid_id';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT -1 AS d, r.created_at, r.score, ' || links ||
      ' FROM old_rows r JOIN reports p ON p.id = r.report_id WHERE p.moderation = ''visible''');
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    EXECUTE gisapp_outcome_ratings_sql(
      'SELECT 1 AS d, r.created_at, r.score, ' || links ||
      ' FROM new_rows r JOIN reports p ON p.id = r.report_id WHERE p.moderation = ''visible''');
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gisapp_outcomes_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(5800040);
  DELETE FROM outcome_area_months;
  DELETE FROM outcome_area_month_changes;
  EXECUTE gisapp_outcome_months_sql(
    'SELECT 1 AS d, created_at, status, resolved_at, district_id, street_id,
            community_id, grid_id FROM reports WHERE moderation = ''visible''');
  EXECUTE gisapp_outcome_ratings_sql(
    'SELECT 1 AS d, r.created_at, r.score, p.district_id, p.street_id, p.community_id,
            p.grid_id FROM report_ratings r JOIN reports p ON p.id = r.report_id
      WHERE p.moderation = ''visible''');
  PERFORM gisapp_fold('outcome_area_month_changes', 'outcome_area_months',
                      ARRAY['level', 'month', 'area_id']);
END $$;

SELECT gisapp_outcomes_rebuild();
