"""The web application: a typed ASGI app over the same stores the command line uses (README: The web application)."""
