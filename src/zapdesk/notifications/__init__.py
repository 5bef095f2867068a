"""In-app notifications: a user was mentioned in a note, or a ticket was transferred to them."""
