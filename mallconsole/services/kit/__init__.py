"""The services' own kit: database set-up, keyset pages, version checks, claims, numbering, audit,
typed settings, work after commit.
"""
