"""The rules every layer shares: states, errors, roles, time zones, locales, money, text. Imports
nothing of mallconsole.
"""
