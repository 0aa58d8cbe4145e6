"""Loket core: domain, storage, signing, letters and services. Never imports Qt."""

__version__ = "0.1.0"
