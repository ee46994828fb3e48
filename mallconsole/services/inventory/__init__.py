"""Stock: inventory records, reservations and adjustments."""
