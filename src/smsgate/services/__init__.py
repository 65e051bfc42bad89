"""Use cases. Each takes plain data, decides, and runs one unit of work against the store."""
