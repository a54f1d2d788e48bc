"""The API's endpoints, by what they work on: asking and searching, documents and jobs, the
cluster table, lists and extraction."""
