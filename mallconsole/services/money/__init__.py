"""Sellers' money and customers' store credit: ledgers, payouts, payout accounts, reserves,
chargebacks, exports, wallets.
"""
