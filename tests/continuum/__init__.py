"""Tests of cbe_bridge.continuum and cbe_bridge.model.continuum (a package, so that this
folder's conftest does not shadow tests/conftest.py as the module ``conftest``)."""
