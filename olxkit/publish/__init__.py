"""Publishing to Studio: credentials, HTTP, the Studio import protocol, the published-archive store, new runs."""
