"""Review moderation: queues and claims, decisions, rating aggregates, the moderation home's
figures.
"""
