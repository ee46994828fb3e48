"""Forms of the finance console; its record screens add theirs here."""
