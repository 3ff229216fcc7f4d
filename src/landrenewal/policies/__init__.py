"""Policy files shipped with landrenewal, one per jurisdiction (see domain.policy)."""
