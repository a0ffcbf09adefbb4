-- Tile versions: a counter per source table and z10 tile, bumped in the same transaction as
-- any insert, update or delete of rows under that tile. The tile server keys its cache and its
-- ETags on these counters, so a new report invalidates the tiles of one z10 tile (~39 km at the
-- equator, ~34 km in Hubei), not every tile of the layer.
--
-- Why z10: a finer key (z14) would bump more rows per change and give low-zoom tiles hundreds
-- of counters to add up; a coarser one (per table) would empty the cache on every report.
-- Tiles at z >= 10 read one counter (their z10 ancestor); tiles at z < 10 add up the counters
-- of the z10 tiles under them. Counters only grow, so any change under a tile changes its sum.
--
-- Statement-level triggers with transition tables: a COPY of a million rows (gisapp demo-data)
-- bumps each touched counter once, not a million times.

CREATE TABLE tile_versions (
  tbl text NOT NULL,
  x integer NOT NULL,
  y integer NOT NULL,
  version bigint NOT NULL DEFAULT 1,
  CONSTRAINT pk_tile_versions PRIMARY KEY (tbl, x, y)
);

-- The z10 tiles whose (buffered) tiles may draw geometry g. A feature shows in a tile's buffer
-- (256 of 4096 units: 2.4 km of Web Mercator at z10) and sensitive reports are drawn up to
-- GISAPP_SENSITIVE_ROUNDING_M (at most 5 km) from where they are, so the box is widened by
-- 7.5 km of Web Mercator before it is cut into z10 tiles.
-- z10 column of a longitude, row of a latitude, widened by the margin towards `side` (-1 or 1).
-- Plain scalar SQL functions, so the planner inlines them: the triggers run them per row.
CREATE OR REPLACE FUNCTION gisapp_tile_x(lon double precision, side integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT greatest(0, least(1023, floor((radians(lon) * 6378137 + side * 7500.0
                                        + 20037508.342789244) / (40075016.68557849 / 1024))))::integer
$$;
CREATE OR REPLACE FUNCTION gisapp_tile_y(lat double precision, side integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT greatest(0, least(1023, floor((20037508.342789244
    - ln(tan(pi() / 4 + radians(greatest(-85.0511, least(85.0511, lat))) / 2)) * 6378137
    - side * 7500.0) / (40075016.68557849 / 1024))))::integer
$$;

CREATE OR REPLACE FUNCTION gisapp_tile_keys(g geometry)
RETURNS TABLE (x integer, y integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT gx, gy
    FROM generate_series(gisapp_tile_x(ST_XMin(g), -1), gisapp_tile_x(ST_XMax(g), 1)) AS gx,
         generate_series(gisapp_tile_y(ST_YMax(g), 1), gisapp_tile_y(ST_YMin(g), -1)) AS gy
$$;

-- The keys of a set of rows: one range per distinct box of tiles (points in the same z10 tile
-- share one), expanded once. Returned as text for the trigger (transition tables).
CREATE OR REPLACE FUNCTION gisapp_tile_keys_sql(rel text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format($f$
    INSERT INTO tile_versions (tbl, x, y)
    SELECT DISTINCT %%L, gx, gy
      FROM (SELECT DISTINCT gisapp_tile_x(ST_XMin(geom), -1) AS x0,
                            gisapp_tile_x(ST_XMax(geom), 1) AS x1,
                            gisapp_tile_y(ST_YMax(geom), 1) AS y0,
                            gisapp_tile_y(ST_YMin(geom), -1) AS y1
              FROM %s) AS b,
           generate_series(b.x0, b.x1) AS gx, generate_series(b.y0, b.y1) AS gy
    ON CONFLICT (tbl, x, y) DO UPDATE SET version = tile_versions.version + 1
  $f$, rel)
$$;

-- Cluster cells: how many features (and the sums of their Web Mercator coordinates, for a
-- cluster's position) lie in each cell of two fixed grids, per breakdown value (k: category,
-- facility type) and filter value (f: moderation, status). Low-zoom tiles add up cells instead
-- of reading every feature: a z10 tile over a province of a million reports reads a few
-- thousand rows, not a million. Level 17 cells (~306 m at the equator, ~260 m in Hubei) serve
-- tiles z10-z13, level 13 cells (~4.9 km) z0-z9; both nest exactly in every tile's 16 x 16
-- cluster grid. Kept by the same statement-level triggers, so a COPY costs one pass.
CREATE TABLE tile_cells (
  tbl text NOT NULL,
  lvl smallint NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  k text NOT NULL DEFAULT '',
  f text NOT NULL DEFAULT '',
  n bigint NOT NULL,
  sx double precision NOT NULL,
  sy double precision NOT NULL,
  CONSTRAINT pk_tile_cells PRIMARY KEY (tbl, lvl, cx, cy, k, f)
);

-- Which tables keep cells, by which columns; rounding: sensitive categories are counted where
-- the public sees them (GISAPP_SENSITIVE_ROUNDING_M's default; the app reads cells only when
-- its setting matches). A column that does not exist (yet) counts as ''.
CREATE TABLE tile_cell_spec (
  tbl text PRIMARY KEY,
  k_col text,
  f_col text,
  rounding double precision
);
INSERT INTO tile_cell_spec (tbl, k_col, f_col, rounding) VALUES
  ('reports', 'category', 'moderation', 100),
  ('facilities', 'type', 'status', NULL);

-- The statement that adds (sign 1) or takes away (sign -1) the rows of a transition table from
-- the cells. Returned as text because only the trigger function itself sees transition tables.
CREATE OR REPLACE FUNCTION gisapp_tile_cells_sql(tbl text, rel text, sign integer)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  spec tile_cell_spec%ROWTYPE;
  k_expr text := '''''';
  f_expr text := '''''';
  x_expr text := 'radians(ST_X(r.geom)) * 6378137';
  y_expr text := 'ln(tan(pi() / 4 + radians(greatest(-85.0511, least(85.0511, ST_Y(r.geom)))) / 2)) * 6378137';
BEGIN
  SELECT * INTO spec FROM tile_cell_spec s WHERE s.tbl = gisapp_tile_cells_sql.tbl;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF spec.k_col IS NOT NULL AND EXISTS (SELECT 1 FROM pg_attribute a
       WHERE a.attrelid = gisapp_tile_cells_sql.tbl::regclass AND a.attname = spec.k_col
         AND NOT a.attisdropped) THEN
    k_expr := format('coalesce(r.%I::text, '''')', spec.k_col);
  END IF;
  IF spec.f_col IS NOT NULL AND EXISTS (SELECT 1 FROM pg_attribute a
       WHERE a.attrelid = gisapp_tile_cells_sql.tbl::regclass AND a.attname = spec.f_col
         AND NOT a.attisdropped) THEN
    f_expr := format('coalesce(r.%I::text, '''')', spec.f_col);
  END IF;
  IF spec.rounding IS NOT NULL THEN
    -- As ST_SnapToGrid does (gisapp.reports.queries.public_geom).
    x_expr := format('CASE WHEN r.category IN (SELECT code FROM categories WHERE sensitive)'
                     ' THEN round((%1$s) / %2$s) * %2$s ELSE %1$s END', x_expr, spec.rounding);
    y_expr := format('CASE WHEN r.category IN (SELECT code FROM categories WHERE sensitive)'
                     ' THEN round((%1$s) / %2$s) * %2$s ELSE %1$s END', y_expr, spec.rounding);
  END IF;
  RETURN format($f$
    INSERT INTO tile_cells AS c (tbl, lvl, cx, cy, k, f, n, sx, sy)
    SELECT %1$L, l.lvl,
           floor((p.x + 20037508.342789244) / (40075016.68557849 / (1 << l.lvl)))::integer,
           floor((20037508.342789244 - p.y) / (40075016.68557849 / (1 << l.lvl)))::integer,
           p.k, p.f, %2$s * count(*), %2$s * sum(p.x), %2$s * sum(p.y)
      FROM (SELECT %3$s AS x, %4$s AS y, %5$s AS k, %6$s AS f FROM %7$I AS r) AS p,
           (VALUES (13), (17)) AS l(lvl)
     GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tbl, lvl, cx, cy, k, f)
    DO UPDATE SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
  $f$, tbl, sign, x_expr, y_expr, k_expr, f_expr, rel);
END $$;

-- Recount a table's cells from scratch (after a bulk change made with triggers off, or after a
-- migration adds the filter column to a table that already holds rows).
CREATE OR REPLACE FUNCTION gisapp_tile_cells_rebuild(t text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tile_cells WHERE tbl = t;
  EXECUTE gisapp_tile_cells_sql(t, t, 1);
END $$;

CREATE OR REPLACE FUNCTION gisapp_tile_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cells text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format(gisapp_tile_keys_sql('new_rows'), TG_TABLE_NAME);
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format(gisapp_tile_keys_sql(
      '(SELECT geom FROM new_rows UNION ALL SELECT geom FROM old_rows) AS r'), TG_TABLE_NAME);
  ELSE
    EXECUTE format(gisapp_tile_keys_sql('old_rows'), TG_TABLE_NAME);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    cells := gisapp_tile_cells_sql(TG_TABLE_NAME, 'old_rows', -1);
    IF cells IS NOT NULL THEN
      EXECUTE cells;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    cells := gisapp_tile_cells_sql(TG_TABLE_NAME, 'new_rows', 1);
    IF cells IS NOT NULL THEN
      EXECUTE cells;
    END IF;
  END IF;
  RETURN NULL;
END $$;
