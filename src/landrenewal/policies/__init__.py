"""Policy as data: the YAML files shipped with landrenewal, one per jurisdiction, and ``files``,
which finds, reads, checks and resolves them (docs/policy.md)."""
