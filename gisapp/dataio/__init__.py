"""Data in and out: the sample loader, imports and exports, demo-data generators."""
