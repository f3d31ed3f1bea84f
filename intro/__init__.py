"""Domain and storage: configuration, database, models and the domain's plain functions.

Nothing here imports from inbound/, mailer/ or web/; the arrows point into intro.
"""
