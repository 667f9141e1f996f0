"""Firms, profiles and bids: domain records, validation, taxonomies and storage."""
