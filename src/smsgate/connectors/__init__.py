"""Delivery channels. Each implements `Connector` (connectors/base.py)."""
