"""Interfaces: the command line (and later HTTP and pages) over the engine packages."""
