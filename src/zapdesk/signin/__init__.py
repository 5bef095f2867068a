"""Signing in: credentials to tokens, refresh-token rotation, signing out, and who am I (/api/auth)."""
