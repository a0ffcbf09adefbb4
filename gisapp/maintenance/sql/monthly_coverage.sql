-- Coverage at the end of each month of a window (the current month ends today): of the
-- facilities that existed then, how many had been visited (or installed) within their interval.
--
-- Parameters: :today, :first_month (first day of the oldest month), :area_id (NULL = all; any
-- level, area ids being unique across levels), :types (NULL = all).
--
-- Without expanding facilities x months: between two visit months a facility's last visit is
-- constant, so each such segment covers a run of month-ends; the runs become +1/-1 marks and a
-- running sum over the months gives the counts. Month numbers come from width_bucket() over the
-- window's month starts and ends (one C call, no date arithmetic per row). Cost grows with the
-- facility-months in the window, not with facilities x months.
WITH months AS (
  SELECT (row_number() OVER (ORDER BY m) - 1)::int AS k, m::date AS month,
         least((m + interval '1 month' - interval '1 day')::date, CAST(:today AS date)) AS at
    FROM generate_series(CAST(:first_month AS date), CAST(:today AS date), interval '1 month') AS m
),
w AS (
  SELECT count(*)::int AS n,
         array_agg(month ORDER BY k) AS starts,   -- month k starts at starts[k + 1]
         array_agg(at ORDER BY k) AS ends         -- and is counted at ends[k + 1]
    FROM months
),
scope AS (
  -- A facility removed on an unknown date counts in no month.
  SELECT facility_id, start_on, interval_days,
         CASE WHEN active THEN NULL ELSE coalesce(removed_on, DATE '1900-01-01') END AS gone_on
    FROM facility_facts
   WHERE (CAST(:area_id AS integer) IS NULL
          OR CAST(:area_id AS integer) IN (district_id, street_id, community_id, grid_id, building_id))
     AND (CAST(:types AS text[]) IS NULL OR type = ANY(CAST(:types AS text[])))
),
-- Segments of constant "last visit": one from before the window (k = -1) and one from each
-- month of the window with a visit (k = that month), with the month numbers that matter.
visits AS (
  SELECT s.facility_id, s.start_on, s.interval_days, s.gone_on, -1 AS seg_k, b.last_visit_on
    FROM scope s
    LEFT JOIN LATERAL (
      SELECT fm.last_visit_on FROM facility_months fm
       WHERE fm.facility_id = s.facility_id AND fm.month < CAST(:first_month AS date)
         AND fm.last_visit_on IS NOT NULL
       ORDER BY fm.month DESC LIMIT 1) AS b ON true
  UNION ALL
  SELECT s.facility_id, s.start_on, s.interval_days, s.gone_on,
         width_bucket(fm.month, w.starts) - 1, fm.last_visit_on
    FROM scope s
    JOIN facility_months fm ON fm.facility_id = s.facility_id
   CROSS JOIN w
   WHERE fm.month >= CAST(:first_month AS date) AND fm.last_visit_on IS NOT NULL
),
segments AS MATERIALIZED (
  SELECT v.facility_id, v.seg_k,
         -- the first month-end at which the facility exists (month-ends before start_on first)
         width_bucket(v.start_on - 1, w.ends) AS born_k,
         -- the first month-end at which it is gone
         CASE WHEN v.gone_on IS NULL THEN w.n ELSE width_bucket(v.gone_on - 1, w.ends) END
           AS gone_k,
         -- the last month-end still covered by the last visit (or the installation)
         width_bucket(coalesce(v.last_visit_on, v.start_on) + v.interval_days, w.ends) - 1
           AS last_k
    FROM visits v CROSS JOIN w
),
runs AS MATERIALIZED (
  SELECT seg_k = -1 AS first_segment, born_k, gone_k,
         greatest(seg_k, 0, born_k) AS run_from,
         least(coalesce(lead(seg_k) OVER (PARTITION BY facility_id ORDER BY seg_k),
                        (SELECT n FROM w)) - 1,
               last_k, gone_k - 1) AS run_to
    FROM segments
),
-- Each segment marks at most four month-ends: where the facility starts and stops existing
-- (on its first segment), and where its covered run starts and stops.
marks AS (
  SELECT born_k AS k, 1 AS facilities, 0 AS covered FROM runs
   WHERE first_segment AND born_k < gone_k
  UNION ALL
  SELECT gone_k, -1, 0 FROM runs WHERE first_segment AND born_k < gone_k
  UNION ALL
  SELECT run_from, 0, 1 FROM runs WHERE run_from <= run_to
  UNION ALL
  SELECT run_to + 1, 0, -1 FROM runs WHERE run_from <= run_to
),
per_month AS (
  SELECT k, sum(facilities) AS facilities, sum(covered) AS covered FROM marks GROUP BY k
)
SELECT mo.month, mo.at,
       coalesce(sum(pm.facilities) OVER o, 0) AS facilities,
       coalesce(sum(pm.covered) OVER o, 0) AS covered
  FROM months mo
  LEFT JOIN per_month pm ON pm.k = mo.k
WINDOW o AS (ORDER BY mo.k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
 ORDER BY mo.month;
