"""Pushed updates: the webhook receiver (verify → dedupe → check the shape → enqueue).

Signing and verification (Standard Webhooks) are in the kernel, `hub.core.signing`, because
the source registry mints the secrets that the receiver checks.
"""
