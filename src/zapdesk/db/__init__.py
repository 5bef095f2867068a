"""Database plumbing shared by every domain: declarative base, engine, unit of work."""
