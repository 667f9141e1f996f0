"""Consortium forming: the integer program, alternatives, infeasibility diagnosis, proposals."""
