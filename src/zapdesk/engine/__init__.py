"""Talking WhatsApp: one `Engine` interface, its adapters (neonize, simulator) and the session supervisor.

Nothing here knows tickets, contacts or users; everything speaks the normalized events of `events.py`.
"""
