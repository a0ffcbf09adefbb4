"""Open standards: OGC API - Features, Open311 GeoReport v2, vector tiles (co-share, 成果共享)."""
