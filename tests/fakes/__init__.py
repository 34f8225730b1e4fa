"""Fake APIs for tests: a threaded HTTP server on 127.0.0.1 with fault injection, and
OneRoster REST, Ed-Fi ODS/API and Canvas shapes on top of it."""
