"""The click command groups that olxkit/cli.py adds to the `olxkit` command."""
