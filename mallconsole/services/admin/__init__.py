"""What system admins govern: configuration values, feature flags, policies and their versions."""
