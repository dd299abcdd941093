"""One module per external LLM service; each builds a LangChain chat model from the settings."""
