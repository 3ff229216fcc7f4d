"""Storage: the embedded GeoPackage (SQLite) store and PostgreSQL + PostGIS, one schema, one set of migrations."""
