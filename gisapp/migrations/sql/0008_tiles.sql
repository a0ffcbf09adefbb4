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
CREATE OR REPLACE FUNCTION gisapp_tile_keys(g geometry)
RETURNS TABLE (x integer, y integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH c AS (
    SELECT 20037508.342789244 AS half, 2 * 20037508.342789244 / 1024 AS w, 7500.0 AS margin
  ), b AS (
    SELECT radians(ST_XMin(g)) * 6378137 AS x0,
           radians(ST_XMax(g)) * 6378137 AS x1,
           ln(tan(pi() / 4 + radians(greatest(ST_YMin(g), -85.0511)) / 2)) * 6378137 AS y0,
           ln(tan(pi() / 4 + radians(least(ST_YMax(g), 85.0511)) / 2)) * 6378137 AS y1
  ), t AS (
    SELECT greatest(0, floor((b.x0 - c.margin + c.half) / c.w))::int AS tx0,
           least(1023, floor((b.x1 + c.margin + c.half) / c.w))::int AS tx1,
           greatest(0, floor((c.half - b.y1 - c.margin) / c.w))::int AS ty0,
           least(1023, floor((c.half - b.y0 + c.margin) / c.w))::int AS ty1
      FROM b, c
  )
  SELECT gx, gy FROM t, generate_series(t.tx0, t.tx1) AS gx, generate_series(t.ty0, t.ty1) AS gy
$$;

CREATE OR REPLACE FUNCTION gisapp_tile_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tile_versions (tbl, x, y)
    SELECT DISTINCT TG_TABLE_NAME, k.x, k.y FROM new_rows r, gisapp_tile_keys(r.geom) k
    ON CONFLICT (tbl, x, y) DO UPDATE SET version = tile_versions.version + 1;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO tile_versions (tbl, x, y)
    SELECT DISTINCT TG_TABLE_NAME, k.x, k.y
      FROM (SELECT geom FROM new_rows UNION ALL SELECT geom FROM old_rows) r,
           gisapp_tile_keys(r.geom) k
    ON CONFLICT (tbl, x, y) DO UPDATE SET version = tile_versions.version + 1;
  ELSE
    INSERT INTO tile_versions (tbl, x, y)
    SELECT DISTINCT TG_TABLE_NAME, k.x, k.y FROM old_rows r, gisapp_tile_keys(r.geom) k
    ON CONFLICT (tbl, x, y) DO UPDATE SET version = tile_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;
