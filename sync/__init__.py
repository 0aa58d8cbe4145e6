"""Sync: the wire protocol shared by client and server, the client engine, and the reference server."""
