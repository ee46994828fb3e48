"""Staff accounts: roles held, sign-in, sessions, MFA, passwords, security events."""
