"""The HTTP service (FastAPI): `create_app` builds it; `partnermatch serve` runs it under uvicorn."""
