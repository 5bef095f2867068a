"""How a person proves who they are: password hashes, signed tokens, and the refresh-token families behind them.

It knows user ids and roles, never the `users` package: accounts build on it, and signing in (`signin`) on both.
"""
