"""Forms of the support console; its record screens add theirs here."""
