"""Support cases: queues and take-next, working a case, canned replies, who is viewing."""
