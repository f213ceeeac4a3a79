"""Omnipoint: one stock, one order flow, one member, one ledger for a network of outlets."""
