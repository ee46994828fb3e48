"""The data-access and business layer: every read model and every write, by workflow.

Services take the session and the acting staff member explicitly, validate, lock, change,
write the audit event and ``flush()``; the request (or command) that called them commits once.
"""
