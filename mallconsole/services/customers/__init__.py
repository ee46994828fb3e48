"""What staff read of a customer: the customer 360, the order screen, global search."""
