"""Builders of the shipped Word templates: one module per template, `house` shared."""
