"""Signing: the signer's device key under a PIN, the city CA, timestamps, PAdES letters, approval events.

Nothing here imports Qt or the sync layer; the server (``sync/server``) and the CLI call these functions
directly. Each module documents its public contract in its docstrings.
"""
