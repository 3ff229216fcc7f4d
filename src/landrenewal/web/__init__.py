"""The web application: a typed ASGI app over the same stores the command line uses (SPEC §3.9)."""
