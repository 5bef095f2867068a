"""Engine workers: processes that hold WhatsApp sessions through leases, run the inbound pipeline and the outbox.

The database is the truth; the channel between a worker and the servers only wakes people up.
"""
