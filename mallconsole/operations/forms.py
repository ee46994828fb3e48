"""Forms of the operations console; its record screens add theirs here."""
