"""Pure business logic: no I/O, no FastAPI, no httpx."""
