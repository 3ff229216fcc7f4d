"""The API's response models, one module per area: what each endpoint returns, for the OpenAPI
document (and so for the schemathesis run, which checks answers against it).

Every model forbids fields it does not declare (``extra="forbid"``): FastAPI filters an answer
through its response model, and a field the model forgot would otherwise vanish silently on its
way to the browser. Forbidden, it fails loudly in the tests instead.
"""
