"""API tokens for automations (n8n, Typebot, your own systems): named, scoped, shown once, stored hashed."""
