"""Orders: their status, expiry, cancellations and returns."""
