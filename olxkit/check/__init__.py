"""Checks on a course: lint of the model, validation of every instance with the OLX gate."""
