"""Tests of cbe_bridge.mapping (mapping files)."""
