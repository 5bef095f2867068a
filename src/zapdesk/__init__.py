"""zapdesk: a WhatsApp customer-service desk."""

__version__ = "0.1.0"
