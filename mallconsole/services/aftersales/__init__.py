"""After the sale: requests raised for customers, refund requests decided and executed, the payment
provider.
"""
