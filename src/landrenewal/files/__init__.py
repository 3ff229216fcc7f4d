"""Files at the edge: reading and writing Shapefile, GeoPackage, GeoJSON, CSV and XLSX."""
