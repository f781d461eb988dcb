"""Database access: the engine, its failure modes and start-up init."""
