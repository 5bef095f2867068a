"""Automation: the queue menu, business hours, automatic messages, timers and the satisfaction survey.

It runs in the worker, reacting to committed ticket and message events read from the event log, and to timers
coming due. It decides, then writes ordinary outgoing messages (stored `pending`, sent by the outbox) and ticket
changes through the services; it never talks to an engine.
"""
