"""Outbound mail: render, compose, send and schedule follow-ups."""
