"""Message templates: the one engine that fills `{{variable}}`s in every text zapdesk writes to a customer."""
