-- Walking reach along the street network (pgRouting). Statements are named by `-- name:`
-- lines and read by gisapp/planning/network.py.
--
-- Every point (facility, candidate, building, report) joins the graph at its nearest vertex,
-- and the straight walk to that vertex counts in its distance ("snap"): a building 40 m off
-- the street and 200 m along it from a playground is 240 m + the playground's own snap away.
-- Vertices are found through the GiST index (<-> in degrees); the snap is measured in metres.

-- name: node
-- Split segments where another segment crosses or touches their interior, so that a network
-- drawn as long ways (OpenStreetMap) gets a vertex at every junction. Attributes are kept.
-- Overlaps (shared stretches) are not split; bridges over streets are split too, which a
-- walking graph forgives more easily than a missed junction.
CREATE TEMP TABLE street_parts ON COMMIT DROP AS
WITH blades AS (
  SELECT a.id, ST_Union(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 1)) AS blade
  FROM streets a
  JOIN streets b ON a.id <> b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
  GROUP BY a.id
)
SELECT s.id, (ST_Dump(ST_Split(ST_Snap(s.geom, bl.blade, 1e-9), bl.blade))).geom AS geom
FROM streets s JOIN blades bl ON bl.id = s.id
WHERE NOT ST_IsEmpty(bl.blade);
INSERT INTO streets (name_zh, name_en, highway, geom)
SELECT s.name_zh, s.name_en, s.highway, p.geom
FROM street_parts p JOIN streets s ON s.id = p.id
WHERE p.id IN (SELECT id FROM street_parts GROUP BY id HAVING count(*) > 1)
  AND ST_Length(p.geom) > 0;
DELETE FROM streets WHERE id IN (SELECT id FROM street_parts GROUP BY id HAVING count(*) > 1);
DROP TABLE street_parts;

-- name: topology
-- One vertex per distinct end point (snapped to a 1e-7 degree grid, about 1 cm, so that ends
-- written with rounding differences still meet), then each segment's source and target and its
-- length on the spheroid. pgr_createTopology is deprecated in pgRouting 3.8; this does the same
-- for a noded network in plain PostGIS.
UPDATE streets SET source = NULL, target = NULL;
DELETE FROM street_vertices;
INSERT INTO street_vertices (geom)
SELECT DISTINCT ST_SnapToGrid(p, 1e-7)
FROM (SELECT ST_StartPoint(geom) AS p FROM streets UNION ALL SELECT ST_EndPoint(geom) FROM streets) e;
UPDATE streets s
SET source = a.id, target = b.id, length_m = ST_Length(s.geom::geography)
FROM street_vertices a, street_vertices b
WHERE a.geom && ST_SnapToGrid(ST_StartPoint(s.geom), 1e-7)
  AND a.geom = ST_SnapToGrid(ST_StartPoint(s.geom), 1e-7)
  AND b.geom && ST_SnapToGrid(ST_EndPoint(s.geom), 1e-7)
  AND b.geom = ST_SnapToGrid(ST_EndPoint(s.geom), 1e-7);
ANALYZE streets;
ANALYZE street_vertices;

-- name: facility_reach
-- The union of the service areas of every active facility of a type: each reached vertex with
-- the shortest walk from any facility (snap included). One pgr_drivingDistance run from a
-- virtual start vertex -1 tied to every facility's vertex by an edge as long as its snap; a
-- shortest path never returns through the virtual vertex, so facilities do not "teleport".
-- :xmin … :ymax bound the streets and facilities (NULL: all of them).
DROP TABLE IF EXISTS pg_temp.walk_reach;
CREATE TEMP TABLE walk_reach ON COMMIT DROP AS
SELECT d.node, d.agg_cost
FROM pgr_drivingDistance(
  format(
    'SELECT id, source, target, length_m AS cost FROM streets WHERE source IS NOT NULL %1$s '
    'UNION ALL '
    'SELECT -f.id, -1, s.vid, s.snap FROM facilities f '
    'CROSS JOIN LATERAL (SELECT v.id AS vid, '
    '  ST_Distance(v.geom::geography, f.geom::geography) AS snap '
    '  FROM street_vertices v ORDER BY v.geom <-> f.geom LIMIT 1) s '
    'WHERE f.type = %2$L AND f.status = ''active'' %3$s',
    CASE WHEN CAST(:xmin AS float8) IS NULL THEN ''
         ELSE format('AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)',
                     CAST(:xmin AS float8), CAST(:ymin AS float8),
                     CAST(:xmax AS float8), CAST(:ymax AS float8)) END,
    CAST(:ftype AS text),
    CASE WHEN CAST(:xmin AS float8) IS NULL THEN ''
         ELSE format('AND f.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)',
                     CAST(:xmin AS float8), CAST(:ymin AS float8),
                     CAST(:xmax AS float8), CAST(:ymax AS float8)) END
  ),
  -1, CAST(:radius AS float8), false) AS d
WHERE d.node > 0;
CREATE INDEX ON walk_reach (node);
ANALYZE walk_reach;

-- name: reached_buildings
-- Buildings whose inside point is within :radius of a facility along the network, kept in a
-- temporary table so that the answer's several queries share one pass (needs walk_reach from
-- facility_reach in the same transaction). The metric snap is measured only for buildings
-- whose vertex was reached at all.
DROP TABLE IF EXISTS pg_temp.walk_reached;
CREATE TEMP TABLE walk_reached ON COMMIT DROP AS
SELECT b.id
FROM (SELECT id, ST_PointOnSurface(geom) AS pt FROM areas WHERE level = 'building') b
CROSS JOIN LATERAL (
  SELECT v.id AS vid, v.geom FROM street_vertices v ORDER BY v.geom <-> b.pt LIMIT 1
) s
JOIN walk_reach r ON r.node = s.vid
WHERE r.agg_cost + ST_Distance(s.geom::geography, b.pt::geography) <= :radius;
CREATE UNIQUE INDEX ON walk_reached (id);
ANALYZE walk_reached;

-- name: reach_lines
-- The reached streets as one MultiLineString: whole segments when the walks from both ends
-- cover them, else the reached stretch from each end (needs walk_reach). Five decimals
-- (about a metre) are plenty for drawing.
SELECT ST_AsGeoJSON(ST_CollectionExtract(ST_Collect(piece), 2), 5)
FROM (
  SELECT CASE
           WHEN fs + ft >= 1 THEN geom
           WHEN fs > 0 AND ft > 0 THEN ST_Collect(ST_LineSubstring(geom, 0, fs),
                                                  ST_LineSubstring(geom, 1 - ft, 1))
           WHEN fs > 0 THEN ST_LineSubstring(geom, 0, fs)
           ELSE ST_LineSubstring(geom, 1 - ft, 1)
         END AS piece
  FROM (
    SELECT e.geom,
           CASE WHEN a.node IS NULL THEN 0
                WHEN e.length_m = 0 THEN 1
                ELSE least(1, (:radius - a.agg_cost) / e.length_m) END AS fs,
           CASE WHEN b.node IS NULL THEN 0
                WHEN e.length_m = 0 THEN 1
                ELSE least(1, (:radius - b.agg_cost) / e.length_m) END AS ft
    FROM streets e
    LEFT JOIN walk_reach a ON a.node = e.source
    LEFT JOIN walk_reach b ON b.node = e.target
    WHERE a.node IS NOT NULL OR b.node IS NOT NULL
  ) f
  WHERE fs > 0 OR ft > 0
) pieces

-- name: site_reach
-- Each site's own service area: (site i, vertex, walk in metres) within :horizon, from
-- pgr_drivingDistance per site over the streets in a box around it (a walk of :horizon cannot
-- leave a box of that half-width). :deg is :horizon in degrees, widened for longitude.
DROP TABLE IF EXISTS pg_temp.site_reach;
CREATE TEMP TABLE site_reach ON COMMIT DROP AS
WITH site AS (
  SELECT c.i, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326) AS g
  FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY AS c(lon, lat, i)
),
snapped AS (
  SELECT site.i, site.g, s.vid, s.snap
  FROM site
  CROSS JOIN LATERAL (
    SELECT v.id AS vid, ST_Distance(v.geom::geography, site.g::geography) AS snap
    FROM street_vertices v ORDER BY v.geom <-> site.g LIMIT 1
  ) s
)
SELECT sn.i, d.node, sn.snap + d.agg_cost AS cost
FROM snapped sn
CROSS JOIN LATERAL pgr_drivingDistance(
  format('SELECT id, source, target, length_m AS cost FROM streets '
         'WHERE source IS NOT NULL AND geom && ST_Expand(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)',
         ST_X(sn.g), ST_Y(sn.g), CAST(:deg AS float8)),
  sn.vid, greatest(CAST(:horizon AS float8) - sn.snap, 0), false) AS d
WHERE sn.snap <= :horizon;
CREATE INDEX ON site_reach (node);
ANALYZE site_reach;

-- name: site_factors
-- Candidate factors measured along the network (needs site_reach to 2 × :radius and
-- walk_reach of the existing facilities to :radius). Same columns as site_factors.sql.
WITH cand AS (
  SELECT c.i, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326) AS g
  FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY AS c(lon, lat, i)
),
box AS (SELECT ST_Expand(ST_Extent(g), :deg) AS box FROM cand),
open_reports AS (
  SELECT coalesce((CAST(:weights AS jsonb) ->> r.category)::float8, :default_weight)
           * (1 + r.support_count) AS w, s.vid, s.snap
  FROM reports r, box
  CROSS JOIN LATERAL (
    SELECT v.id AS vid, ST_Distance(v.geom::geography, r.geom::geography) AS snap
    FROM street_vertices v ORDER BY v.geom <-> r.geom LIMIT 1
  ) s
  WHERE r.status IN ('submitted', 'accepted', 'in_progress') AND r.geom && box.box
),
residents AS (
  SELECT b.population AS pop, s.vid, s.snap
  FROM areas b, box
  CROSS JOIN LATERAL (
    SELECT v.id AS vid,
           ST_Distance(v.geom::geography, ST_PointOnSurface(b.geom)::geography) AS snap
    FROM street_vertices v ORDER BY v.geom <-> ST_PointOnSurface(b.geom) LIMIT 1
  ) s
  WHERE b.level = 'building' AND coalesce(b.population, 0) > 0 AND b.geom && box.box
),
unreached AS (
  SELECT u.pop, u.vid, u.snap FROM residents u
  WHERE NOT EXISTS (
    SELECT 1 FROM walk_reach w WHERE w.node = u.vid AND w.agg_cost + u.snap <= :radius
  )
),
existing AS (
  SELECT s.vid, s.snap
  FROM facilities f, box
  CROSS JOIN LATERAL (
    SELECT v.id AS vid, ST_Distance(v.geom::geography, f.geom::geography) AS snap
    FROM street_vertices v ORDER BY v.geom <-> f.geom LIMIT 1
  ) s
  WHERE f.type = :ftype AND f.status = 'active' AND f.geom && box.box
),
-- Each site_reach row is one (site, vertex) pair, so a join counts each report or building
-- once per site; grouping by site beats one EXISTS probe per site and report.
demand AS (
  SELECT sr.i, sum(o.w) AS w
  FROM open_reports o JOIN site_reach sr ON sr.node = o.vid AND sr.cost + o.snap <= :radius
  GROUP BY sr.i
),
newly AS (
  SELECT sr.i, sum(u.pop) AS pop
  FROM unreached u JOIN site_reach sr ON sr.node = u.vid AND sr.cost + u.snap <= :radius
  GROUP BY sr.i
),
nearest AS (
  SELECT sr.i, min(sr.cost + e.snap) AS m
  FROM existing e JOIN site_reach sr ON sr.node = e.vid AND sr.cost + e.snap <= 2 * :radius
  GROUP BY sr.i
)
SELECT
  cand.i,
  coalesce(demand.w, 0) AS demand,
  coalesce(newly.pop, 0) AS new_population,
  nearest.m AS nearest_m,
  -- Beyond the horizon the network is not searched; the straight line is a lower bound.
  (SELECT ST_Distance(e.geom::geography, cand.g::geography)
     FROM facilities e WHERE e.type = :ftype AND e.status = 'active'
    ORDER BY e.geom <-> cand.g LIMIT 1) AS straight_m
FROM cand
LEFT JOIN demand ON demand.i = cand.i
LEFT JOIN newly ON newly.i = cand.i
LEFT JOIN nearest ON nearest.i = cand.i
ORDER BY cand.i

-- name: coverage_pairs
-- (demand unit, site, walk) for MCLP within :radius (needs site_reach): buildings given as
-- ids in order, sites in site_reach's order.
SELECT u.k - 1 AS unit, sr.i - 1 AS site, min(sr.cost + s.snap) AS cost
FROM unnest(CAST(:ids AS int[])) WITH ORDINALITY AS u(id, k)
JOIN areas b ON b.id = u.id
CROSS JOIN LATERAL (
  SELECT v.id AS vid,
         ST_Distance(v.geom::geography, ST_PointOnSurface(b.geom)::geography) AS snap
  FROM street_vertices v ORDER BY v.geom <-> ST_PointOnSurface(b.geom) LIMIT 1
) s
JOIN site_reach sr ON sr.node = s.vid AND sr.cost + s.snap <= :radius
GROUP BY u.k, sr.i
