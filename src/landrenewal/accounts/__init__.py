"""Who may use the system and what they did: users, log-in sessions with their failed-login limits,
password rules, and the audit log (kept in the store, both backends)."""

from landrenewal.accounts.audit import about, audit, audit_count, audit_rows
from landrenewal.accounts.sessions import (
    Attempt,
    LoginLimits,
    Session,
    claim_attempt,
    log_in,
    log_out,
    session_of,
    settle_attempt,
)
from landrenewal.accounts.users import AccountError, create_user, list_users, update_user, user_count

__all__ = [
    "AccountError",
    "Attempt",
    "LoginLimits",
    "Session",
    "about",
    "audit",
    "audit_count",
    "audit_rows",
    "claim_attempt",
    "create_user",
    "list_users",
    "log_in",
    "log_out",
    "session_of",
    "settle_attempt",
    "update_user",
    "user_count",
]
