"""Storage: the schema, the engine and session factory, and the SQLModel tables."""
