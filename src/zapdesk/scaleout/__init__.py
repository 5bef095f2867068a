"""Scale-out mode: N `zapdesk api` and M `zapdesk worker` processes sharing only PostgreSQL and Redis."""
