"""Readers: one module per kind of AWS object, each turning AWS pages into records.

Readers only read. Which reader runs when, and how concurrently, is decided by
`connector.collect`.
"""
