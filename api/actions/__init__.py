"""The application layer: every user action, with its viewer rules, in one transaction, audited.

HTTP routes, pages, the command line and the nightly run call these; they call the engine
packages and `profiles.repository` for storage and never write SQL themselves.
"""
