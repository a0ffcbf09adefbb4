-- Vector tile SQL. Sections start with "-- name: <name>"; query.py fills the {placeholders}
-- with identifiers and expressions it builds from a validated layer file (never with request
-- input) and binds every value (:z, :x, :y, filters).

-- name: version
-- The sum of the z10 counters (migration 0008) under a tile, with the changes not yet folded
-- into them (0012; one statement, so one snapshot): any change under the tile raises it.
SELECT coalesce(sum(version), 0)::bigint AS version
  FROM (SELECT tbl, x, y, version FROM tile_versions
        UNION ALL
        SELECT tbl, x, y, version FROM tile_version_changes) AS v
 WHERE tbl = :tbl AND x BETWEEN :x0 AND :x1 AND y BETWEEN :y0 AND :y1

-- name: tile
-- One statement per tile (ST_TileEnvelope + ST_AsMVTGeom + ST_AsMVT). Features come as they
-- are, unless the layer clusters at this zoom (:cluster) or the tile's box holds more than :cap
-- of them: then they are counted per cell of a :side x :side grid on the tile, and the tile
-- carries one point per cell with its count, a breakdown by {breakdown_name}, and agg = 'zoom'
-- or 'cap'. Nothing is ever cut: the counts of a tile add up to the features in it.
WITH bounds AS (
  -- (:dx, :dy) moves the tile for a GCJ-02 basemap: features stay in true Web Mercator and
  -- land where the shifted map draws them (zero otherwise).
  SELECT ST_Translate(ST_TileEnvelope(:z, :x, :y), :dx, :dy) AS env,
         -- The tile plus its buffer, widened by the rounding of sensitive reports, in the
         -- table's CRS so the spatial index answers it.
         ST_Transform(ST_Expand(ST_Translate(ST_TileEnvelope(:z, :x, :y), :dx, :dy), :margin),
                      4326) AS box
),
-- Read once: the count, the features and the clusters all come from these rows.
src AS MATERIALIZED (
  SELECT t.id{columns}, {geom} AS g
    FROM {table} AS t, bounds
   WHERE t.geom && bounds.box{where}
),
n AS (
  SELECT CASE WHEN :cluster THEN :cap + 1
              ELSE (SELECT count(*) FROM src) END AS c
),
raw AS (
  SELECT src.id{names}{raw_extra}, NULL::integer AS count, NULL::text AS breakdown,
         NULL::text AS agg, ST_AsMVTGeom(src.g, bounds.env, 4096, 256, true) AS geom
    FROM src, bounds
   WHERE (SELECT c FROM n) <= :cap
),
cells AS NOT MATERIALIZED (
  SELECT floor((ST_X(a.p) - ST_XMin(bounds.env)) / ((ST_XMax(bounds.env) - ST_XMin(bounds.env)) / :side)) AS cx,
         floor((ST_YMax(bounds.env) - ST_Y(a.p)) / ((ST_YMax(bounds.env) - ST_YMin(bounds.env)) / :side)) AS cy,
         ST_X(a.p) AS px, ST_Y(a.p) AS py, a.k
    FROM (SELECT {anchor} AS p, {breakdown} AS k FROM src) AS a, bounds
   WHERE (SELECT c FROM n) > :cap
),
per_key AS (
  SELECT cx, cy, k, count(*) AS n, sum(px) AS sx, sum(py) AS sy
    FROM cells
   -- Only what lies inside the tile: a neighbour's cluster is the neighbour's to count.
   WHERE cx >= 0 AND cx < :side AND cy >= 0 AND cy < :side
   GROUP BY cx, cy, k
),
clusters AS (
  SELECT sum(n)::integer AS count,
         (array_agg(k ORDER BY n DESC, k))[1] AS top,
         json_object_agg(coalesce(k, ''), n ORDER BY n DESC, k)::text AS breakdown,
         sum(sx) / sum(n) AS x, sum(sy) / sum(n) AS y
    FROM per_key
   GROUP BY cx, cy
),
feats AS (
  SELECT * FROM raw
  UNION ALL
  SELECT NULL{cluster_names}{cluster_extra}, c.count, c.breakdown,
         CASE WHEN :cluster THEN 'zoom' ELSE 'cap' END,
         -- Kept 12 px from the tile's edges so the circle is not cut by the next tile.
         ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(
             greatest(ST_XMin(b.env) + b.edge, least(ST_XMax(b.env) - b.edge, c.x)),
             greatest(ST_YMin(b.env) + b.edge, least(ST_YMax(b.env) - b.edge, c.y))), 3857),
           b.env, 4096, 0, true)
    FROM clusters AS c,
         (SELECT env, (ST_XMax(env) - ST_XMin(env)) * 12 / 256 AS edge FROM bounds) AS b
)
-- ST_AsMVT skips rows whose geometry ST_AsMVTGeom clipped away (NULL): no filter needed, and
-- a filter would make PostgreSQL compute ST_AsMVTGeom twice.
SELECT (SELECT ST_AsMVT(feats.*, :layer, 4096, 'geom') FROM feats) AS tile,
       (SELECT c FROM n) > :cap AS aggregated

-- name: cell_spec
-- stale: the filter column exists but cells were counted before it did (they say f = ''), e.g.
-- a migration added the column to a table that held rows: such cells cannot answer a filter.
SELECT s.tbl, s.k_col, s.f_col, s.rounding,
       s.f_col IS NOT NULL
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = s.tbl::regclass
                       AND a.attname = s.f_col AND NOT a.attisdropped)
         AND EXISTS (SELECT 1 FROM tile_cells c WHERE c.tbl = s.tbl AND c.lvl = 13
                       AND c.f = '' AND c.n > 0) AS stale
  FROM tile_cell_spec s

-- name: cells
-- Clusters of a low-zoom tile from the cells kept by migration 0008's triggers: the cells of
-- level :lvl under the tile, added up :shift levels to the tile's 16 x 16 grid (a dense z14
-- tile: its 8 x 8 level-17 cells as they are, :agg = 'cap'). Same output as the "tile"
-- statement's clusters, without reading the features themselves.
WITH bounds AS (
  SELECT ST_Translate(ST_TileEnvelope(:z, :x, :y), :dx, :dy) AS env
),
per_key AS (
  SELECT cx >> :shift AS gx, cy >> :shift AS gy, k, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy
    -- with the changes not yet folded into the cells (0012)
    FROM (SELECT * FROM tile_cells UNION ALL SELECT * FROM tile_cell_changes) AS tile_cells
   WHERE tbl = :tbl AND lvl = :lvl AND cx BETWEEN :cx0 AND :cx1 AND cy BETWEEN :cy0 AND :cy1{where}
   GROUP BY 1, 2, 3
  HAVING sum(n) > 0
),
clusters AS (
  SELECT sum(n)::integer AS count,
         (array_agg(k ORDER BY n DESC, k))[1] AS top,
         json_object_agg(k, n ORDER BY n DESC, k)::text AS breakdown,
         sum(sx) / sum(n) AS x, sum(sy) / sum(n) AS y
    FROM per_key
   GROUP BY gx, gy
),
feats AS (
  SELECT c.count, c.breakdown, :agg AS agg, {top} AS {breakdown_name},
         ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(
             greatest(ST_XMin(b.env) + b.edge, least(ST_XMax(b.env) - b.edge, c.x)),
             greatest(ST_YMin(b.env) + b.edge, least(ST_YMax(b.env) - b.edge, c.y))), 3857),
           b.env, 4096, 0, true) AS geom
    FROM clusters AS c,
         (SELECT env, (ST_XMax(env) - ST_XMin(env)) * 12 / 256 AS edge FROM bounds) AS b
)
SELECT (SELECT ST_AsMVT(feats.*, :layer, 4096, 'geom') FROM feats) AS tile,
       true AS aggregated

-- name: cell_count
-- How many features the kept level-17 cells (~260 m) under a tile hold, with the changes not
-- yet folded: the tile's own features, or more when a cell is larger than the tile (z > 17).
SELECT coalesce(sum(n), 0)::bigint AS n
  FROM (SELECT tbl, lvl, cx, cy, f, n FROM tile_cells
        UNION ALL
        SELECT tbl, lvl, cx, cy, f, n FROM tile_cell_changes) AS c
 WHERE tbl = :tbl AND lvl = 17 AND cx BETWEEN :cx0 AND :cx1 AND cy BETWEEN :cy0 AND :cy1{where}

-- name: plain
-- A tile whose cells say it holds no more than :cap features: its features as they are, read
-- once and encoded, with nothing to count first (the "tile" statement's raw branch, alone).
WITH bounds AS (
  SELECT ST_Translate(ST_TileEnvelope(:z, :x, :y), :dx, :dy) AS env,
         ST_Transform(ST_Expand(ST_Translate(ST_TileEnvelope(:z, :x, :y), :dx, :dy), :margin),
                      4326) AS box
),
feats AS (
  SELECT t.id{columns}, NULL::integer AS count, NULL::text AS breakdown, NULL::text AS agg,
         ST_AsMVTGeom({geom}, bounds.env, 4096, 256, true) AS geom
    FROM {table} AS t, bounds
   WHERE t.geom && bounds.box{where}
)
SELECT (SELECT ST_AsMVT(feats.*, :layer, 4096, 'geom') FROM feats) AS tile,
       false AS aggregated
