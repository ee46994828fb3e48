"""What leaves the console: the outbox and its mailer, stored files."""
