-- Area links: every report, facility and project knows its containing area at each level.
--
-- Kept by triggers rather than service code so that every writer (the app, imports, COPY-based
-- bulk loads, a DBA with psql) gets the same answer, and so a boundary edit relinks what lies
-- under it inside the same transaction.

-- The areas containing a geometry, one per level. Lines and polygons are placed by a point on
-- their surface (a footprint straddling two grids belongs to one of them, deterministically).
-- On a shared boundary the lowest id wins, so the answer never depends on scan order.
CREATE OR REPLACE FUNCTION gisapp_area_links(g geometry)
RETURNS TABLE (district_id integer, street_id integer, community_id integer,
               grid_id integer, building_id integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH p AS (
    SELECT CASE WHEN GeometryType(g) = 'POINT' THEN g ELSE ST_PointOnSurface(g) END AS pt
  )
  SELECT min(a.id) FILTER (WHERE a.level = 'district'),
         min(a.id) FILTER (WHERE a.level = 'street'),
         min(a.id) FILTER (WHERE a.level = 'community'),
         min(a.id) FILTER (WHERE a.level = 'grid'),
         min(a.id) FILTER (WHERE a.level = 'building')
  FROM areas a, p
  WHERE ST_Intersects(a.geom, p.pt)
$$;

CREATE OR REPLACE FUNCTION gisapp_link_feature() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT l.district_id, l.street_id, l.community_id, l.grid_id, l.building_id
    INTO NEW.district_id, NEW.street_id, NEW.community_id, NEW.grid_id, NEW.building_id
    FROM gisapp_area_links(NEW.geom) AS l;
  RETURN NEW;
END $$;

-- Relink every feature under the old or new outline of an area that was added, reshaped,
-- re-levelled or removed.
CREATE OR REPLACE FUNCTION gisapp_relink_under_area() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- Two outlines, not their union: a collection of overlapping polygons is invalid input
  -- for GEOS, and a union costs more than probing the index twice.
  old_outline geometry := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.geom END;
  new_outline geometry := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.geom END;
BEGIN

  UPDATE reports t
     SET (district_id, street_id, community_id, grid_id, building_id) =
         (SELECT * FROM gisapp_area_links(t.geom))
   WHERE ST_Intersects(t.geom, old_outline) OR ST_Intersects(t.geom, new_outline);
  UPDATE facilities t
     SET (district_id, street_id, community_id, grid_id, building_id) =
         (SELECT * FROM gisapp_area_links(t.geom))
   WHERE ST_Intersects(t.geom, old_outline) OR ST_Intersects(t.geom, new_outline);
  UPDATE projects t
     SET (district_id, street_id, community_id, grid_id, building_id) =
         (SELECT * FROM gisapp_area_links(t.geom))
   WHERE ST_Intersects(t.geom, old_outline) OR ST_Intersects(t.geom, new_outline);
  RETURN NULL;
END $$;

CREATE TRIGGER reports_area_links BEFORE INSERT OR UPDATE OF geom ON reports
  FOR EACH ROW EXECUTE FUNCTION gisapp_link_feature();
CREATE TRIGGER facilities_area_links BEFORE INSERT OR UPDATE OF geom ON facilities
  FOR EACH ROW EXECUTE FUNCTION gisapp_link_feature();
CREATE TRIGGER projects_area_links BEFORE INSERT OR UPDATE OF geom ON projects
  FOR EACH ROW EXECUTE FUNCTION gisapp_link_feature();
CREATE TRIGGER areas_relink AFTER INSERT OR DELETE OR UPDATE OF geom, level ON areas
  FOR EACH ROW EXECUTE FUNCTION gisapp_relink_under_area();
