"""Dramatiq workers: the broker, the actors (thin wrappers around services) and `run_worker`."""
