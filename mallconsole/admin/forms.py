"""Forms of the admin console; its record screens add theirs here."""
