"""The domain: pure functions and types, no I/O. Everything else depends on this, never the reverse."""
