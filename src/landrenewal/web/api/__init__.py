"""The REST API, one module per resource; every route names its response in the OpenAPI document."""
