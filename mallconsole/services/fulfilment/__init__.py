"""Fulfilment: shipments, their carrier events, and carriers."""
