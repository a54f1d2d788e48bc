"""Prompt files (installed as rag.prompts). Load them with rag.prompting.load_prompt(name)."""
