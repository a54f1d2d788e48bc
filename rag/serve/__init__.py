"""`rag serve`: the JSON API and the web page, in one process (FastAPI + uvicorn).

app.py builds the application; state.py holds the index readers and the one writer; jobs.py
runs uploads in the background; routes/ holds the endpoints; static/ the page (no build step)."""
