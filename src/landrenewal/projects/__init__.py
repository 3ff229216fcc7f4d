"""Projects at the edge: the service the command line and the web app call (create, act, record,
sweep, list, show) and the documents attached to events (docs/projects.md)."""
