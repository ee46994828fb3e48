"""Forms of the moderation console; its record screens add theirs here."""
